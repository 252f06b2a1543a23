using System.Collections.Concurrent;
using BatchBuild.Core;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Configuration;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Store;
using BatchBuild.Lifecycle;
using BatchBuild.Store;

namespace BatchBuild.Client.Tests;

/// <summary>Completion notifications and closes in the embedded store, with webhooks on 127.0.0.1.</summary>
public sealed class NotificationTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
    private readonly ConcurrentQueue<Diagnostic> _messages = new();
    private string _folder = string.Empty;

    [SetUp]
    public void CreateFolder()
    {
        _folder = Directory.CreateTempSubdirectory("batchbuild-notify-").FullName;
        _messages.Clear();
    }

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private static BatchCompletion Completion() => BatchCompletion.From(
        new BatchInfo(
            BatchId.Parse("nightly-7"),
            2,
            BatchState.Closed,
            Start,
            Start.AddMinutes(9),
            Start.AddMinutes(10),
            CloseReason.Explicit,
            new BatchCounts(10, 1, 2, 4, 2, 1234.5, Flaky: 1, Retried: 3),
            true),
        [new FailedTest("Tests", "A.Fails", "Expected 1 but was 2\n  at A.Fails()")]);

    private BatchLifecycleSettings Settings(params Uri[] webhooks) =>
        BatchLifecycleSettings.Defaults with
        {
            WebhookUrls = [.. webhooks],
            SummaryPath = Path.Combine(_folder, "out", "summary.json"),
        };

    private CompletionNotifier Notifier(
        BatchLifecycleSettings settings,
        HttpClient http,
        Dictionary<string, string>? environment = null) =>
        new(settings, http, _messages.Enqueue, name => environment?.GetValueOrDefault(name))
        {
            FirstRetryDelay = TimeSpan.FromMilliseconds(20),
            AttemptTimeout = TimeSpan.FromSeconds(5),
        };

    [Test]
    public async Task Every_sink_gets_the_completion_document()
    {
        using var hook = new LoopbackServer((_, n) => Task.FromResult(n == 1 ? 500 : 204));
        using var http = Http.CreateClient(null);
        var completion = Completion();

        var delivered = await Notifier(
            Settings(new Uri(hook.Url, "hook?token=secret")),
            http).NotifyAsync(completion, CancellationToken.None);

        Assert.That(delivered, Is.True);
        var requests = hook.Requests.ToList();
        Assert.That(requests, Has.Count.EqualTo(2), "the 500 was retried");
        Assert.That(
            BatchCompletion.FromJson(requests[1].Body),
            Is.EqualTo(completion).Using<BatchCompletion>((a, b) => a.ToJson() == b.ToJson()));
        Assert.That(requests[1].Headers["Content-Type"], Does.StartWith("application/json"));
        Assert.That(File.ReadAllText(Path.Combine(_folder, "out", "summary.json")), Is.EqualTo(completion.ToJson()));
        var log = string.Join("\n", _messages.Select(m => m.Text));
        Assert.That(
            log,
            Does.Contain(
                "BatchBuild batch nightly-7#2 closed (explicit): 10 passed, 1 failed, 2 skipped (1 flaky, 3 retried) "
                + "in 4 test batches on 2 agents"));
        Assert.That(log, Does.Not.Contain("secret"));
    }

    [Test]
    public async Task The_document_has_the_documented_shape()
    {
        var json = System.Text.Json.JsonDocument.Parse(Completion().ToJson()).RootElement;

        Assert.That(json.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[]
        {
            "batchId", "name", "sequence", "state", "reason", "startedAt", "closedAt", "durationSeconds", "counts",
            "failedTests", "failedTestsOmitted", "rerun", "attempt",
        }));
        Assert.That(
            (json.GetProperty("rerun").GetBoolean(), json.GetProperty("attempt").GetInt32()),
            Is.EqualTo((false, 1)));
        Assert.That(json.GetProperty("counts").EnumerateObject().Select(p => p.Name), Is.EqualTo(new[]
        {
            "passed", "failed", "skipped", "total", "testBatches", "agents", "testMillis", "flaky", "retried",
        }));
        Assert.That(
            json.GetProperty("failedTests")[0].GetProperty("message").GetString(),
            Does.StartWith("Expected 1 but was 2"));
        Assert.That(json.GetProperty("durationSeconds").GetDouble(), Is.EqualTo(600));
        await Task.CompletedTask;
    }

    [Test]
    public void A_re_run_s_document_says_it_replaces_the_one_sent_before()
    {
        var again = Completion() with { Rerun = true, Attempt = 2 };
        var json = System.Text.Json.JsonDocument.Parse(again.ToJson()).RootElement;

        Assert.That(
            (json.GetProperty("rerun").GetBoolean(), json.GetProperty("attempt").GetInt32()),
            Is.EqualTo((true, 2)));
        Assert.That(
            BatchCompletion.FromJson(again.ToJson()),
            Is.EqualTo(again).Using<BatchCompletion>((a, b) => a.ToJson() == b.ToJson()));
        Assert.That(
            again.ToLogLine(),
            Does.StartWith(
                "BatchBuild batch nightly-7#2 closed (explicit, again after the re-run of attempt 2): 10 passed"));
        Assert.That(
            again.ToMarkdown(),
            Does.Contain("Closed again after the re-run of attempt 2: these counts replace the ones sent before."));
    }

    [Test]
    public async Task A_webhook_that_keeps_failing_is_a_warning_and_not_delivered()
    {
        using var hook = new LoopbackServer((_, _) => Task.FromResult(503));
        using var http = Http.CreateClient(null);

        var delivered = await Notifier(Settings(hook.Url), http).NotifyAsync(Completion(), CancellationToken.None);

        Assert.That(delivered, Is.False);
        Assert.That(hook.Requests, Has.Count.EqualTo(4));
        Assert.That(_messages.Single(m => m.Severity == DiagnosticSeverity.Warning).Code, Is.EqualTo("BB4002"));
    }

    [Test]
    public async Task Inside_Azure_Pipelines_a_Markdown_summary_is_attached()
    {
        using var http = Http.CreateClient(null);
        var environment = new Dictionary<string, string> { ["TF_BUILD"] = "True", ["AGENT_TEMPDIRECTORY"] = _folder };

        await Notifier(
            BatchLifecycleSettings.Defaults,
            http,
            environment).NotifyAsync(Completion(), CancellationToken.None);

        var command = _messages.Single(m => m.Text.StartsWith(
            "##vso[task.uploadsummary]",
            StringComparison.Ordinal)).Text;
        var markdown = File.ReadAllText(command["##vso[task.uploadsummary]".Length..]);
        Assert.That(
            markdown,
            Does.Contain("## BatchBuild batch `nightly-7#2`").And.Contain("| 10 | 1 | 2 | 1 | 3 | 4 | 2 |").And.Contain(
                "- `A.Fails` (Tests): Expected 1 but was 2"));
    }

    [Test]
    public async Task Closing_in_the_store_notifies_once_however_often_it_is_asked()
    {
        var store = Path.Combine(_folder, "batchbuild.db");
        using (var seed = SqliteBatchStore.Open(store))
        {
            await seed.RecordResultsAsync([new TestResultRecord(
                BatchId.Parse("b-1"),
                1,
                new TestKey("Tests", "A.One"),
                "One",
                TestRunOutcome.Passed,
                5,
                DateTimeOffset.UtcNow,
                "agent",
                "attempt-1")]);
        }

        using var hook = new LoopbackServer((_, _) => Task.FromResult(200));
        using var http = Http.CreateClient(null);
        var closer = new BatchCloser(Settings(hook.Url), store, http, _messages.Enqueue, _ => null);

        var first = await closer.CloseAsync([BatchId.Parse("b-1")], CancellationToken.None);
        var second = await closer.CloseAsync([BatchId.Parse("b-1")], CancellationToken.None);
        var unknown = await closer.CloseAsync([BatchId.Parse("never-seen")], CancellationToken.None);

        Assert.That((first, second, unknown), Is.EqualTo((true, true, false)));
        Assert.That(hook.Requests, Has.Count.EqualTo(1));
        Assert.That(_messages.Select(m => m.Text), Has.Some.Contains("batch b-1 was already closed (explicit"));
        Assert.That(
            _messages.Where(m => m.Severity == DiagnosticSeverity.Warning).Select(m => m.Code),
            Is.EqualTo(new[] { "BB4001" }));
    }

    [Test]
    public async Task Closing_in_the_store_hands_over_the_counts_of_each_closed_batch()
    {
        var store = Path.Combine(_folder, "batchbuild.db");
        using (var seed = SqliteBatchStore.Open(store))
        {
            await seed.RecordResultsAsync([
                new TestResultRecord(
                    BatchId.Parse("b-1"),
                    1,
                    new TestKey("Tests", "A.One"),
                    "One",
                    TestRunOutcome.Passed,
                    5,
                    DateTimeOffset.UtcNow,
                    "agent",
                    "attempt-1"),
                new TestResultRecord(
                    BatchId.Parse("b-1"),
                    2,
                    new TestKey("Tests", "A.Two"),
                    "Two",
                    TestRunOutcome.Failed,
                    5,
                    DateTimeOffset.UtcNow,
                    "agent",
                    "attempt-2"),
            ]);
        }

        using var http = Http.CreateClient(null);
        var counted = new List<(BatchId, BatchCounts)>();
        var closer = new BatchCloser(
            Settings(),
            store,
            http,
            _messages.Enqueue,
            _ => null)
        { Counted = (id, counts) => counted.Add((id, counts)) };

        await closer.CloseAsync([BatchId.Parse("b-1")], CancellationToken.None);
        await closer.CloseAsync([BatchId.Parse("b-1")], CancellationToken.None);

        Assert.That(
            counted.Select(c => (c.Item1.Value, c.Item2.Passed, c.Item2.Failed)),
            Is.EqualTo(new[] { ("b-1", 1, 1), ("b-1", 1, 1) }),
            "closed, then found closed");
    }

    [Test]
    public async Task Delivery_cut_short_releases_every_claimed_notification_not_only_the_one_being_sent()
    {
        var path = Path.Combine(_folder, "batchbuild.db");
        using var store = SqliteBatchStore.Open(path);
        foreach (var id in new[] { "b-1", "b-2", "b-3" })
        {
            await store.RecordResultsAsync([new TestResultRecord(
                BatchId.Parse(id),
                1,
                new TestKey("Tests", "A.One"),
                "One",
                TestRunOutcome.Passed,
                5,
                DateTimeOffset.UtcNow,
                "agent",
                "attempt-1")]);
            await store.CloseBatchAsync(BatchId.Parse(id));
        }

        // The webhook never answers: the first delivery is under way when the host shuts down.
        using var hook = new LoopbackServer(async (_, _) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30));
            return 200;
        });
        using var http = Http.CreateClient(null);
        using var shutdown = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));

        Assert.That(
            async () => await Notifier(Settings(hook.Url), http).DeliverClaimedAsync(store, shutdown.Token),
            Throws.InstanceOf<OperationCanceledException>());

        var again = await store.ClaimNotificationsAsync();
        Assert.That(
            again.Select(c => c.BatchId),
            Is.EquivalentTo(new[] { "b-1", "b-2", "b-3" }),
            "no claim waits for the stale-claim timeout");
    }
}
