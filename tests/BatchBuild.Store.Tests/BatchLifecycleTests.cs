using BatchBuild.Core.Batches;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Store;
using Microsoft.Data.Sqlite;

namespace BatchBuild.Store.Tests;

/// <summary>A clock the tests move by hand.</summary>
internal sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>The batch lifecycle in the embedded store, on real SQLite files and an injected clock.</summary>
public sealed class BatchLifecycleTests
{
    private static readonly BatchId Nightly = BatchId.Parse("nightly-7");
    private static readonly DateTimeOffset Morning = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
    private readonly ManualClock _clock = new(Morning);
    private string _folder = string.Empty;

    private string StorePath => Path.Combine(_folder, "batchbuild.db");

    [SetUp]
    public void CreateFolder()
    {
        _folder = Directory.CreateTempSubdirectory("batchbuild-lifecycle-").FullName;
        _clock.Now = Morning;
    }

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private SqliteBatchStore Open(bool notify = true) =>
        SqliteBatchStore.Open(StorePath, new BatchStoreOptions(BatchLimits.Default, notify, _clock));

    private TestResultRecord Result(string name, TestRunOutcome outcome = TestRunOutcome.Passed, BatchId? id = null, int testBatch = 1, string agent = "agent-1", string? error = null) =>
        new(id ?? Nightly, testBatch, new TestKey("Tests", name), name, outcome, 100, _clock.Now, agent, error);

    [Test]
    public async Task Results_with_one_ID_join_one_batch_from_any_process()
    {
        using (var first = Open())
        {
            var started = await first.RecordResultsAsync([Result("A.One"), Result("A.Two", TestRunOutcome.Failed)]);
            Assert.That(started.Single().Sequence, Is.EqualTo(1));
        }

        _clock.Now += TimeSpan.FromMinutes(5);
        using var second = Open();
        var joined = await second.RecordResultsAsync([Result("B.One", testBatch: 2, agent: "agent-2"), Result("B.Two", TestRunOutcome.Skipped, testBatch: 2, agent: "agent-2")]);

        var batch = joined.Single();
        Assert.That((batch.Id, batch.Sequence, batch.State, batch.Name), Is.EqualTo((Nightly, 1, BatchState.Active, "nightly-7")));
        Assert.That(batch.Counts, Is.EqualTo(new BatchCounts(2, 1, 1, 2, 2, 400)));
        Assert.That(batch.LastActivityAt - batch.StartedAt, Is.EqualTo(TimeSpan.FromMinutes(5)));
    }

    [Test]
    public async Task Closing_freezes_the_counts_and_only_the_first_close_closes()
    {
        using var store = Open();
        await store.RecordResultsAsync([Result("A.One"), Result("A.Two", TestRunOutcome.Failed, error: "Expected 2 but was 3")]);
        _clock.Now += TimeSpan.FromMinutes(1);

        var closed = await store.CloseBatchAsync(Nightly);
        var again = await store.CloseBatchAsync(Nightly);
        var unknown = await store.CloseBatchAsync(BatchId.Parse("never-seen"));

        Assert.That(closed.Status, Is.EqualTo(CloseStatus.Closed));
        Assert.That((closed.Batch!.State, closed.Batch.Reason, closed.Batch.ClosedAt), Is.EqualTo((BatchState.Closed, (CloseReason?)CloseReason.Explicit, (DateTimeOffset?)_clock.Now)));
        Assert.That(closed.Batch.Counts, Is.EqualTo(new BatchCounts(1, 1, 0, 1, 1, 200)));
        Assert.That(closed.FailedTests, Is.EqualTo(new[] { new FailedTest("Tests", "A.Two", "Expected 2 but was 3") }));
        Assert.That(again.Status, Is.EqualTo(CloseStatus.AlreadyClosed));
        Assert.That(unknown.Status, Is.EqualTo(CloseStatus.Unknown));
    }

    [Test]
    public async Task A_test_run_again_counts_once_as_it_last_ended()
    {
        using var store = Open();
        await store.RecordResultsAsync([Result("A.Flaky", TestRunOutcome.Failed, error: "timed out"), Result("A.Broken"), Result("A.Steady")]);
        await store.RecordResultsAsync([Result("A.Flaky", testBatch: 2), Result("A.Broken", TestRunOutcome.Failed, testBatch: 2, error: "now broken")]);

        var closed = await store.CloseBatchAsync(Nightly);

        Assert.That(closed.Batch!.Counts, Is.EqualTo(new BatchCounts(2, 1, 0, 2, 1, 500)), "outcomes per test; test batches and time per run");
        Assert.That(closed.FailedTests, Is.EqualTo(new[] { new FailedTest("Tests", "A.Broken", "now broken") }));
    }

    [Test]
    public async Task Results_for_a_closed_batch_start_a_new_batch_with_the_same_ID()
    {
        using var store = Open();
        await store.RecordResultsAsync([Result("A.One")]);
        await store.CloseBatchAsync(Nightly);

        var next = (await store.RecordResultsAsync([Result("A.One", TestRunOutcome.Failed)])).Single();

        Assert.That((next.Sequence, next.Name, next.State), Is.EqualTo((2, "nightly-7#2", BatchState.Active)));
        Assert.That(next.Counts.Failed, Is.EqualTo(1));
        Assert.That(next.Counts.Passed, Is.Zero, "the first batch's results stay with it");
        var first = await store.CloseBatchAsync(Nightly);
        Assert.That((first.Status, first.Batch!.Sequence, first.Batch.Counts.Total), Is.EqualTo((CloseStatus.Closed, 2, 1)));
    }

    [Test]
    public async Task An_idle_batch_closes_by_itself()
    {
        using var store = Open();
        await store.RecordResultsAsync([Result("A.One")]);

        _clock.Now += TimeSpan.FromHours(3) - TimeSpan.FromSeconds(1);
        Assert.That(await store.CloseExpiredAsync(), Is.Empty);
        _clock.Now += TimeSpan.FromSeconds(2);
        var closed = (await store.CloseExpiredAsync()).Single();

        Assert.That((closed.Reason, closed.ClosedAt), Is.EqualTo(((CloseReason?)CloseReason.Idle, (DateTimeOffset?)_clock.Now)));
        Assert.That((await store.CloseBatchAsync(Nightly)).Status, Is.EqualTo(CloseStatus.AlreadyClosed));
    }

    [Test]
    public async Task A_batch_open_too_long_closes_by_age_even_when_busy()
    {
        using var store = Open();
        for (var hours = 0; hours <= 74; hours += 2)
        {
            await store.RecordResultsAsync([Result($"A.Run{hours}")]);
            _clock.Now += TimeSpan.FromHours(2);
        }

        var batches = await store.GetBatchAsync(Nightly);

        Assert.That(batches!.Sequence, Is.EqualTo(2), "the report after three days started a new batch");
        using var connection = new SqliteConnection($"Data Source={StorePath};Pooling=False");
        connection.Open();
        using var reason = connection.CreateCommand();
        reason.CommandText = "SELECT close_reason FROM batches WHERE sequence = 1";
        Assert.That(reason.ExecuteScalar(), Is.EqualTo("Age"));
    }

    [Test]
    public async Task Racing_closes_close_once_and_notify_once()
    {
        using (var store = Open())
        {
            await store.RecordResultsAsync([Result("A.One")]);
        }

        var closes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            using var store = Open();
            return await store.CloseBatchAsync(Nightly);
        })));
        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            using var store = Open();
            return await store.ClaimNotificationsAsync();
        })));

        Assert.That(closes.Count(c => c.Status == CloseStatus.Closed), Is.EqualTo(1));
        Assert.That(closes.Count(c => c.Status == CloseStatus.AlreadyClosed), Is.EqualTo(7));
        var claimed = claims.SelectMany(c => c).ToList();
        Assert.That(claimed, Has.Count.EqualTo(1));
        Assert.That((claimed[0].BatchId, claimed[0].Reason, claimed[0].Counts.Passed), Is.EqualTo(("nightly-7", "explicit", 1)));
    }

    [Test]
    public async Task A_notification_that_failed_to_deliver_is_claimed_again_and_a_delivered_one_is_not()
    {
        using var store = Open();
        await store.RecordResultsAsync([Result("A.One", TestRunOutcome.Failed, error: "boom")]);
        await store.CloseBatchAsync(Nightly);

        var first = (await store.ClaimNotificationsAsync()).Single();
        Assert.That(await store.ClaimNotificationsAsync(), Is.Empty, "claimed, not yet released");
        await store.CompleteNotificationAsync(first, delivered: false);
        var second = (await store.ClaimNotificationsAsync()).Single();
        await store.CompleteNotificationAsync(second, delivered: true);

        Assert.That(second.FailedTests.Single(), Is.EqualTo(new FailedTest("Tests", "A.One", "boom")));
        Assert.That(await store.ClaimNotificationsAsync(), Is.Empty);
    }

    [Test]
    public async Task A_claim_left_by_a_process_that_died_is_claimed_again_later()
    {
        using var store = Open();
        await store.RecordResultsAsync([Result("A.One")]);
        await store.CloseBatchAsync(Nightly);
        Assert.That(await store.ClaimNotificationsAsync(), Has.Count.EqualTo(1));

        _clock.Now += TimeSpan.FromMinutes(11);

        Assert.That(await store.ClaimNotificationsAsync(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_batch_started_without_notification_never_notifies()
    {
        using var store = Open(notify: false);
        await store.RecordResultsAsync([Result("A.One")]);
        await store.CloseBatchAsync(Nightly);

        Assert.That(await store.ClaimNotificationsAsync(), Is.Empty);
    }

    [Test]
    public async Task A_version_1_store_is_migrated_and_keeps_its_history()
    {
        using (var connection = new SqliteConnection($"Data Source={StorePath};Pooling=False"))
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText = """
                CREATE TABLE test_results (id INTEGER PRIMARY KEY, batch_id TEXT NOT NULL, test_batch INTEGER NOT NULL, assembly TEXT NOT NULL,
                    full_name TEXT NOT NULL, display_name TEXT NOT NULL, outcome TEXT NOT NULL, duration_ms REAL NOT NULL, finished_at TEXT NOT NULL, agent TEXT NOT NULL);
                INSERT INTO test_results (batch_id, test_batch, assembly, full_name, display_name, outcome, duration_ms, finished_at, agent)
                VALUES ('old', 1, 'Tests', 'A.Old', 'Old', 'Passed', 42, '2026-11-22T08:00:00.0000000Z', 'agent');
                PRAGMA user_version = 1;
                """;
            create.ExecuteNonQuery();
        }

        using var store = Open();
        await store.RecordResultsAsync([Result("A.New")]);
        var history = await store.GetHistoryAsync(["Tests"], null, 10);

        Assert.That(history.Select(r => r.Test.FullyQualifiedName), Is.EquivalentTo(new[] { "A.Old", "A.New" }));
        Assert.That(await store.GetBatchAsync(BatchId.Parse("old")), Is.Null, "results from before batches belong to none");
    }
}
