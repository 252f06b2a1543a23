using BatchBuild.Client;
using BatchBuild.Core;
using BatchBuild.Core.Api;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Configuration;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Store;
using BatchBuild.Lifecycle;

namespace BatchBuild.Server.Tests;

/// <summary>
/// The test run's side: <see cref="ServerResultStore"/> against the real server on 127.0.0.1, which
/// is away for part of each test. Results wait in the spool and arrive, once, when it is back.
/// </summary>
public sealed class ServerClientTests() : DatabaseTest("sqlite")
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
    private readonly List<Diagnostic> _messages = [];
    private string _folder = string.Empty;

    [SetUp]
    public void CreateSpoolFolder()
    {
        _folder = Directory.CreateTempSubdirectory("batchbuild-spool-").FullName;
        _messages.Clear();
    }

    [TearDown]
    public void DeleteSpoolFolder() => Directory.Delete(_folder, recursive: true);

    private ResultSpool Spool => new(Path.Combine(_folder, "spool"));

    private ServerResultStore Store(HttpClient http, int port, string key = RunningServer.Key) =>
        new(
            http,
            new Uri($"http://127.0.0.1:{port}"),
            key,
            Spool,
            message => { lock (_messages) { _messages.Add(message); } })
        {
            AttemptTimeout = TimeSpan.FromSeconds(5),
            FirstRetryDelay = TimeSpan.FromMilliseconds(10),
        };

    private static TestResultRecord Result(string name, int testBatch) =>
        new(
            BatchId.Parse("agent-run-5"),
            testBatch,
            new TestKey("Tests", name),
            name,
            TestRunOutcome.Passed,
            40,
            Now,
            "agent-1",
            $"run-{testBatch}");

    [Test]
    public async Task Results_reported_while_the_server_is_away_are_spooled_and_sent_once_when_it_is_back()
    {
        var port = LoopbackServer.FreePort();
        using var http = new HttpClient();

        var away = await Store(http, port).RecordResultsAsync([Result("A.One", 1), Result("A.Two", 1)]);
        var stillAway = await Store(http, port).RecordResultsAsync([Result("A.Three", 2)]);
        var noDurations = await Store(http, port)
            .GetDurationsAsync(new DurationQuery([new("Tests", "A.One")], 90, null, 100));

        Assert.That((away.Count, stillAway.Count, noDurations.Count), Is.EqualTo((0, 0, 0)));
        Assert.That(Spool.Pending().Count(), Is.EqualTo(2));
        Assert.That(
            _messages.Where(m => m.Code == "BB5101").Select(m => m.Text),
            Has.Some.Contains("2 results could not be sent").And.Some.Contains("planned from estimates"));

        await using var server = await RunningServer.StartAsync(Database, port: port);
        var back = await Store(http, port).RecordResultsAsync([Result("A.Four", 3)]);
        await Store(http, port).RecordResultsAsync([Result("A.Four", 3)]);

        Assert.That(back.Single().Counts.Total, Is.EqualTo(4), "the spool went first, then the new results");
        Assert.That(Spool.Pending(), Is.Empty);
        var page = await server.ListAsync();
        Assert.That(
            page.Batches.Single().Counts,
            Is.EqualTo(new BatchCounts(4, 0, 0, 3, 1, 160)),
            "nothing lost, nothing twice");
        Assert.That(
            _messages.Count(m => m.Text.Contains("spooled results sent", StringComparison.Ordinal)),
            Is.EqualTo(2));
    }

    [Test]
    public async Task Closing_on_the_server_hands_over_the_closed_batchs_counts_read_with_the_key()
    {
        await using var server = await RunningServer.StartAsync(Database);
        var port = server.Url.Port;
        using var http = new HttpClient();
        await Store(http, port).RecordResultsAsync(
            [Result("A.One", 1), Result("A.Two", 1) with { Outcome = TestRunOutcome.Failed }]);
        var settings = BatchLifecycleSettings.Defaults with { ServerUrl = server.Url, ApiKey = RunningServer.Key };
        var counted = new List<BatchCounts>();

        var closed = await new BatchCloser(
            settings,
            Path.Combine(_folder, "batchbuild.db"),
            http,
            _messages.Add,
            _ => null)
        { Counted = (_, counts) => counted.Add(counts) }
            .CloseAsync([BatchId.Parse("agent-run-5")], CancellationToken.None);
        var (token, _) = await new ServerBatchCloser(
            http,
            server.Url,
            RunningServer.Key,
            TimeSpan.FromSeconds(10)).RequestCloseTokenAsync(BatchId.Parse("agent-run-5"), CancellationToken.None);
        var withoutKey = await new BatchCloser(
            settings with { ApiKey = null },
            Path.Combine(_folder, "batchbuild.db"),
            http,
            _messages.Add,
            _ => null)
        {
            Counted = (_, counts) => counted.Add(counts),
            CloseTokens = new Dictionary<string, string> { ["agent-run-5"] = token! },
        }.CloseAsync([BatchId.Parse("agent-run-5")], CancellationToken.None);

        Assert.That(closed, Is.True);
        Assert.That(counted.Select(c => (c.Passed, c.Failed)), Is.EqualTo(new[] { (1, 1) }));
        Assert.That(withoutKey, Is.False, "a close token closes, but cannot read the counts");
        Assert.That(
            _messages.Select(m => m.Text),
            Has.Some.Contains("cannot be read").And.Some.Contains("without the API key"));
    }

    [Test]
    public async Task A_rejected_key_spools_and_a_report_the_server_refuses_is_set_aside()
    {
        await using var server = await RunningServer.StartAsync(Database);
        using var http = new HttpClient();
        var port = server.Url.Port;

        await Store(http, port, key: "bb_wrong").RecordResultsAsync([Result("A.One", 1)]);
        var refused = Spool.Add(
            new ResultsRequest([ResultDto.From(Result("A.Bad", 2)) with { BatchId = "bad\u0001id" }]));
        var sent = await Store(http, port).RecordResultsAsync([Result("A.Two", 3)]);

        Assert.That(
            _messages.First(m => m.Code == "BB5101").Text,
            Does.Contain("401").And.Contain("not accepted").And.Not.Contain("bb_wrong"));
        Assert.That(sent.Single().Counts.Total, Is.EqualTo(2), "the spooled report and the new one");
        Assert.That(File.Exists(Path.Combine(Spool.Folder, "rejected", Path.GetFileName(refused))), Is.True);
        Assert.That(_messages.Last(m => m.Code == "BB5101").Text, Does.Contain("refused").And.Contain("U+0001"));
    }

    [Test]
    public async Task A_report_the_server_keeps_failing_on_never_holds_back_the_others_and_is_set_aside()
    {
        // A server that fails on one report only, as it would on data it cannot store.
        using var server = new LoopbackServer((request, _) => Task.FromResult(
            request.Body.Contains("A.Poison", StringComparison.Ordinal)
                ? (503, string.Empty)
                : (200, "{\"batches\":[],\"received\":1}")));
        using var http = new HttpClient();
        var poison = Spool.Add(new ResultsRequest([ResultDto.From(Result("A.Poison", 1))]));
        Spool.Add(new ResultsRequest([ResultDto.From(Result("A.Good", 2))]));

        for (var run = 3; run < 3 + ResultSpool.MaxStrikes; run++)
        {
            await Store(http, server.Port).RecordResultsAsync([Result($"A.Run{run}", run)]);
        }

        var received = server.Requests.Where(r => !r.Body.Contains(
            "A.Poison",
            StringComparison.Ordinal)).Select(r => r.Body).ToList();
        Assert.That(
            received,
            Has.Count.EqualTo(1 + ResultSpool.MaxStrikes),
            "the spooled good report and every new one went through");
        Assert.That(Spool.Pending(), Is.Empty);
        Assert.That(
            File.Exists(Path.Combine(
                Spool.Folder,
                "rejected",
                Path.GetFileName(poison).Replace(
                    ".json",
                    $".s{ResultSpool.MaxStrikes}.json",
                    StringComparison.Ordinal))),
            Is.True);
        Assert.That(
            _messages.Single(m => m.Code == "BB5101").Text,
            Does.Contain($"{ResultSpool.MaxStrikes} times while it took others"));
    }

    [Test]
    public async Task A_server_that_fails_on_every_report_is_an_outage_and_sets_nothing_aside()
    {
        using var server = new LoopbackServer((_, _) => Task.FromResult((503, string.Empty)));
        using var http = new HttpClient();
        Spool.Add(new ResultsRequest([ResultDto.From(Result("A.One", 1))]));

        for (var run = 2; run < 2 + ResultSpool.MaxStrikes; run++)
        {
            await Store(http, server.Port).RecordResultsAsync([Result($"A.Run{run}", run)]);
        }

        Assert.That(Spool.Pending().Select(p => ResultSpool.StrikesOf(p.File)), Is.All.Zero);
        Assert.That(Spool.Pending().Count(), Is.EqualTo(ResultSpool.MaxStrikes + 1), "everything waits for the server");
        Assert.That(Directory.Exists(Path.Combine(Spool.Folder, "rejected")), Is.False);
    }
}
