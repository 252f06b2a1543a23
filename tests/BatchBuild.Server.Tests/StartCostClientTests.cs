using BatchBuild.Client;
using BatchBuild.Core;
using BatchBuild.Core.Durations;

namespace BatchBuild.Server.Tests;

/// <summary>
/// The test run's side of start costs: <see cref="ServerResultStore"/> against the real server on
/// 127.0.0.1, which is away or refuses. Start costs are advice: they are dropped with a warning,
/// never spooled, and reading them answers none so that the plan estimates the start.
/// </summary>
public sealed class StartCostClientTests() : DatabaseTest("sqlite")
{
    private static readonly DateTimeOffset Morning = new(2026, 12, 7, 8, 0, 0, TimeSpan.Zero);
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

    private ServerResultStore Store(HttpClient http, int port) =>
        new(http, new Uri($"http://127.0.0.1:{port}"), RunningServer.Key, Spool, _messages.Add)
        {
            AttemptTimeout = TimeSpan.FromSeconds(5),
            FirstRetryDelay = TimeSpan.FromMilliseconds(10),
        };

    private static StartCostRecord Cost(int minute, string batch = "ci-7") =>
        new("A.Tests", StartCostKind.TestBatch, 1200, 4200, 2500, 40, batch, Morning.AddMinutes(minute));

    [Test]
    public async Task While_the_server_is_away_start_costs_are_dropped_with_a_warning_and_none_are_read()
    {
        var port = LoopbackServer.FreePort();
        using var http = new HttpClient();
        using var store = Store(http, port);

        await store.RecordStartCostsAsync([Cost(1), Cost(2)]);
        var read = await store.GetStartCostsAsync(new StartCostQuery(["A.Tests"], null, 20));

        Assert.That(read, Is.Empty);
        Assert.That(
            _messages.Select(m => (m.Code, m.Severity)),
            Is.All.EqualTo(("BB5101", DiagnosticSeverity.Warning)));
        Assert.That(
            _messages.Select(m => m.Text),
            Has.Exactly(1).Contains("start costs of 2 test batches and listings could not be sent")
                .And.Exactly(1).Contains("estimated from this run's discovery or listing"));
        Assert.That(Spool.Pending(), Is.Empty, "start costs are advice, not results: never spooled");

        await using var server = await RunningServer.StartAsync(Database, port: port);
        await store.RecordStartCostsAsync([Cost(3)]);

        Assert.That(
            (await store.GetStartCostsAsync(new StartCostQuery(["A.Tests"], null, 20))).Single(),
            Is.EqualTo(Cost(3)),
            "those dropped while it was away are not sent later");
    }

    [Test]
    public async Task Start_costs_the_server_refuses_are_dropped_with_its_reason()
    {
        await using var server = await RunningServer.StartAsync(Database);
        using var http = new HttpClient();
        using var store = Store(http, server.Url.Port);

        await store.RecordStartCostsAsync([Cost(1, batch: " ")]);

        Assert.That(_messages.Single().Code, Is.EqualTo("BB5101"));
        Assert.That(_messages.Single().Text, Does.Contain("400").And.Contain("costs[0].batchId"));
        Assert.That(await store.GetStartCostsAsync(new StartCostQuery(["A.Tests"], null, 20)), Is.Empty);
    }
}
