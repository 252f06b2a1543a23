using System.Globalization;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Store;

namespace BatchBuild.Store.Tests;

/// <summary>
/// The batch lifecycle in the store, on a real SQLite file and on a real PostgreSQL database, with
/// an injected clock; each test opens the store as often as separate processes would.
/// </summary>
[TestFixtureSource(typeof(TestDatabase), nameof(TestDatabase.Providers))]
public sealed class BatchLifecycleTests(string provider) : DatabaseTest(provider)
{
    private static readonly BatchId Nightly = BatchId.Parse("nightly-7");
    private static readonly DateTimeOffset Morning = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
    private readonly ManualClock _clock = new(Morning);
    [SetUp]
    public void ResetClock() => _clock.Now = Morning;

    private SqlBatchStore Open(bool notify = true) =>
        Database.Open(new BatchStoreOptions(BatchLimits.Default, notify, _clock));

    private TestResultRecord Result(
        string name,
        TestRunOutcome outcome = TestRunOutcome.Passed,
        BatchId? id = null,
        int testBatch = 1,
        string agent = "agent-1",
        string? error = null) =>
        new(
            id ?? Nightly,
            testBatch,
            new TestKey("Tests", name),
            name,
            outcome,
            100,
            _clock.Now,
            agent,
            $"{agent}-run-{testBatch}",
            error);

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
        var joined = await second.RecordResultsAsync(
        [
            Result("B.One", testBatch: 2, agent: "agent-2"),
            Result("B.Two", TestRunOutcome.Skipped, testBatch: 2, agent: "agent-2"),
        ]);

        var batch = joined.Single();
        Assert.That(
            (batch.Id, batch.Sequence, batch.State, batch.Name),
            Is.EqualTo((Nightly, 1, BatchState.Active, "nightly-7")));
        Assert.That(batch.Counts, Is.EqualTo(new BatchCounts(2, 1, 1, 2, 2, 400)));
        Assert.That(batch.LastActivityAt - batch.StartedAt, Is.EqualTo(TimeSpan.FromMinutes(5)));
    }

    [Test]
    public async Task Closing_freezes_the_counts_and_only_the_first_close_closes()
    {
        using var store = Open();
        await store.RecordResultsAsync(
        [
            Result("A.One"),
            Result("A.Two", TestRunOutcome.Failed, error: "Expected 2 but was 3"),
        ]);
        _clock.Now += TimeSpan.FromMinutes(1);

        var closed = await store.CloseBatchAsync(Nightly);
        var again = await store.CloseBatchAsync(Nightly);
        var unknown = await store.CloseBatchAsync(BatchId.Parse("never-seen"));

        Assert.That(closed.Status, Is.EqualTo(CloseStatus.Closed));
        Assert.That(
            (closed.Batch!.State, closed.Batch.Reason, closed.Batch.ClosedAt),
            Is.EqualTo((BatchState.Closed, (CloseReason?)CloseReason.Explicit, (DateTimeOffset?)_clock.Now)));
        Assert.That(closed.Batch.Counts, Is.EqualTo(new BatchCounts(1, 1, 0, 1, 1, 200)));
        Assert.That(closed.FailedTests, Is.EqualTo(new[] { new FailedTest("Tests", "A.Two", "Expected 2 but was 3") }));
        Assert.That(again.Status, Is.EqualTo(CloseStatus.AlreadyClosed));
        Assert.That(unknown.Status, Is.EqualTo(CloseStatus.Unknown));
    }

    [Test]
    public async Task A_test_run_again_counts_once_as_it_last_ended()
    {
        using var store = Open();
        await store.RecordResultsAsync(
        [
            Result("A.Flaky", TestRunOutcome.Failed, error: "timed out"),
            Result("A.Broken"),
            Result("A.Steady"),
        ]);
        await store.RecordResultsAsync(
        [
            Result("A.Flaky", testBatch: 2),
            Result("A.Broken", TestRunOutcome.Failed, testBatch: 2, error: "now broken"),
        ]);

        var closed = await store.CloseBatchAsync(Nightly);

        Assert.That(
            closed.Batch!.Counts,
            Is.EqualTo(new BatchCounts(2, 1, 0, 2, 1, 500, Flaky: 1, Retried: 2)),
            "outcomes per test; test batches and time per run");
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
        Assert.That(
            (first.Status, first.Batch!.Sequence, first.Batch.Counts.Total),
            Is.EqualTo((CloseStatus.Closed, 2, 1)));
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

        Assert.That(
            (closed.Reason, closed.ClosedAt),
            Is.EqualTo(((CloseReason?)CloseReason.Idle, (DateTimeOffset?)_clock.Now)));
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
        var first = await store.GetBatchAsync(Nightly, 1);
        Assert.That((first!.Reason, first.Counts.Total), Is.EqualTo(((CloseReason?)CloseReason.Age, 37)));
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
        Assert.That(
            (claimed[0].BatchId, claimed[0].Reason, claimed[0].Counts.Passed),
            Is.EqualTo(("nightly-7", "explicit", 1)));
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
    public async Task A_failed_notification_waits_longer_after_every_failure()
    {
        using var store = Database.Open(new BatchStoreOptions(BatchLimits.Default, true, _clock)
        {
            NotificationRetryDelay = TimeSpan.FromMinutes(1),
        });
        await store.RecordResultsAsync([Result("A.One")]);
        await store.CloseBatchAsync(Nightly);

        await store.CompleteNotificationAsync((await store.ClaimNotificationsAsync()).Single(), delivered: false);
        _clock.Now += TimeSpan.FromSeconds(59);
        Assert.That(await store.ClaimNotificationsAsync(), Is.Empty, "waits 1 minute after the first failure");
        _clock.Now += TimeSpan.FromSeconds(1);
        await store.CompleteNotificationAsync((await store.ClaimNotificationsAsync()).Single(), delivered: false);
        _clock.Now += TimeSpan.FromSeconds(119);
        Assert.That(await store.ClaimNotificationsAsync(), Is.Empty, "waits 2 minutes after the second");
        _clock.Now += TimeSpan.FromSeconds(1);
        var third = (await store.ClaimNotificationsAsync()).Single();
        await store.CompleteNotificationAsync(third, delivered: true);
        await store.CompleteNotificationAsync(third, delivered: false);

        _clock.Now += TimeSpan.FromHours(2);
        Assert.That(await store.ClaimNotificationsAsync(), Is.Empty, "delivered once, for good");
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
    public async Task A_result_sent_again_with_its_attempt_is_recorded_once()
    {
        using var store = Open();
        var sent = new[] { Result("A.One"), Result("A.Two", TestRunOutcome.Failed) };

        await store.RecordResultsAsync(sent);
        var again = (await store.RecordResultsAsync(sent)).Single();
        var rerun = (await store.RecordResultsAsync([Result("A.Two", testBatch: 2)])).Single();

        Assert.That(again.Counts, Is.EqualTo(new BatchCounts(1, 1, 0, 1, 1, 200)));
        Assert.That(
            rerun.Counts,
            Is.EqualTo(new BatchCounts(2, 0, 0, 2, 1, 300, Flaky: 1, Retried: 1)),
            "a new attempt is a new run; the test failed, then passed");
        Assert.That((await store.GetResultsAsync(Nightly, 1, 1, 10)).Total, Is.EqualTo(3));
    }

    [Test]
    public async Task Eight_clients_reporting_at_once_fill_one_batch_that_closes_and_notifies_once()
    {
        const int clients = 8;
        const int reports = 5;
        const int perReport = 10;

        await Task.WhenAll(Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            using var store = Open();
            for (var report = 0; report < reports; report++)
            {
                var results = Enumerable.Range(0, perReport)
                    .Select(i => Result(
                        $"C{client}.T{report}x{i}",
                        i == 0 && client == 3 ? TestRunOutcome.Failed : TestRunOutcome.Passed,
                        testBatch: report + 1,
                        agent: $"agent-{client}"))
                    .ToList();
                await store.RecordResultsAsync(results);
                await store.RecordResultsAsync(results[..2]);
            }
        })));
        var closes = await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            using var store = Open();
            var close = await store.CloseBatchAsync(Nightly);
            return (close, await store.ClaimNotificationsAsync());
        })));

        var closed = closes.Single(c => c.close.Status == CloseStatus.Closed).close.Batch!;
        Assert.That(
            closed.Counts,
            Is.EqualTo(new BatchCounts(
                clients * reports * perReport - reports,
                reports,
                0,
                clients * reports,
                clients,
                clients * reports * perReport * 100.0)));
        Assert.That((closed.Sequence, closed.Reason), Is.EqualTo((1, (CloseReason?)CloseReason.Explicit)));
        Assert.That(closes.SelectMany(c => c.Item2).Count(), Is.EqualTo(1), "one notification");
        using var reader = Open();
        Assert.That((await reader.ListBatchesAsync(new BatchListQuery())).Total, Is.EqualTo(1), "one batch");
    }

    [Test]
    public async Task A_test_that_failed_then_passed_counts_as_passed_flaky_and_retried()
    {
        using var store = Open();

        await store.RecordResultsAsync(
        [
            Result("A.Flaky", TestRunOutcome.Failed),
            Result("A.Broken", TestRunOutcome.Failed),
            Result("A.Fine"),
        ]);
        await store.RecordResultsAsync(
        [
            Result("A.Flaky", testBatch: 2),
            Result("A.Broken", TestRunOutcome.Failed, testBatch: 3),
        ]);
        var closed = (await store.CloseBatchAsync(Nightly)).Batch!;

        Assert.That(
            closed.Counts with { TestMillis = 0 },
            Is.EqualTo(new BatchCounts(2, 1, 0, 3, 1, 0, Flaky: 1, Retried: 2)));
        Assert.That(closed.Counts, Is.EqualTo(await store.RecountAsync(Nightly, 1)));
        var completion = BatchCompletion.From(closed, []);
        Assert.That((completion.Counts.Flaky, completion.Counts.Retried), Is.EqualTo((1, 2)));
        Assert.That(completion.ToLogLine(), Does.Contain("2 passed, 1 failed, 0 skipped (1 flaky, 2 retried)"));
    }

    [Test]
    public async Task The_counts_kept_on_every_report_equal_the_counts_recomputed_from_the_results()
    {
        var random = new Random(20261123);
        var outcomes = new[]
        {
            TestRunOutcome.Passed, TestRunOutcome.Failed, TestRunOutcome.Skipped, TestRunOutcome.None,
        };
        using var store = Open();
        var sent = new List<TestResultRecord[]>();
        for (var report = 0; report < 60; report++)
        {
            // Some reports are sent again, as a client retrying after a lost answer would.
            var results = random.Next(4) == 0 && sent.Count > 0
                ? sent[random.Next(sent.Count)]
                : [.. Enumerable.Range(0, random.Next(1, 8)).Select(_ => Result(
                    $"A.Test{random.Next(12)}",
                    outcomes[random.Next(outcomes.Length)],
                    testBatch: random.Next(1, 5),
                    agent: $"agent-{random.Next(3)}") with { DurationMillis = random.Next(1, 500) })
                    .DistinctBy(result => (result.Test, result.Attempt))];
            sent.Add(results);
            var kept = (await store.RecordResultsAsync(results)).Single();

            Assert.That(kept.Counts, Is.EqualTo(await store.RecountAsync(Nightly, 1)), $"after report {report}");
        }

        Assert.That(
            (await store.CloseBatchAsync(Nightly)).Batch!.Counts,
            Is.EqualTo(await store.RecountAsync(Nightly, 1)));
    }

    [Test]
    public async Task Thousands_of_retried_and_repeated_results_keep_each_attempt_s_first_and_counts_equal_a_recount()
    {
        var random = new Random(20261124);
        var outcomes = new[]
        {
            TestRunOutcome.Passed, TestRunOutcome.Failed, TestRunOutcome.Skipped, TestRunOutcome.None,
        };
        TestResultRecord Any() => Result(
            $"A.Test{random.Next(1500)}",
            outcomes[random.Next(outcomes.Length)],
            testBatch: random.Next(1, 6),
            agent: $"agent-{random.Next(4)}") with
        { DurationMillis = random.Next(1, 500) };

        // Most tests run several times in a report, in other test batches or on other agents; some
        // results repeat a test and attempt of the same report with another outcome, and the
        // second report sends part of the first again.
        TestResultRecord[] first = [.. Enumerable.Range(0, 4000).Select(_ => Any())];
        first =
        [
            .. first,
            .. first.Take(300).Select(result => result with { Outcome = TestRunOutcome.Failed, DurationMillis = 1 }),
        ];
        TestResultRecord[] second = [.. first.Skip(2000).Take(1000), .. Enumerable.Range(0, 3000).Select(_ => Any())];
        using var store = Open();

        var afterFirst = (await store.RecordResultsAsync(first)).Single();
        Assert.That(afterFirst.Counts, Is.EqualTo(await store.RecountAsync(Nightly, 1)), "after the first report");
        var afterSecond = (await store.RecordResultsAsync(second)).Single();

        var kept = first.Concat(second).DistinctBy(result => (result.Test, result.Attempt)).ToList();
        Assert.That(afterSecond.Counts, Is.EqualTo(await store.RecountAsync(Nightly, 1)), "after the second report");
        Assert.That(afterSecond.Counts, Is.EqualTo(CountsOf(kept)), "the first result of each test and attempt counts");
        Assert.That((await store.GetResultsAsync(Nightly, 1, 1, 1)).Total, Is.EqualTo(kept.Count));
    }

    [Test]
    public async Task One_report_joins_an_active_batch_starts_one_after_a_closed_batch_and_starts_a_new_one()
    {
        using var store = Open();
        var closed = BatchId.Parse("closed-1");
        var fresh = BatchId.Parse("fresh-1");
        await store.RecordResultsAsync([Result("A.One"), Result("A.One", id: closed)]);
        await store.CloseBatchAsync(closed);

        var batches = await store.RecordResultsAsync([
            Result("A.Two", TestRunOutcome.Failed),
            Result("A.One", id: closed),
            Result("A.One", id: fresh),
            Result("A.Two", id: fresh, testBatch: 2)]);

        Assert.That(
            batches.Select(b => (b.Name, b.Counts.Total)),
            Is.EquivalentTo(new[] { ("nightly-7", 2), ("closed-1#2", 1), ("fresh-1", 2) }));
        foreach (var batch in batches)
        {
            Assert.That(batch.Counts, Is.EqualTo(await store.RecountAsync(batch.Id, batch.Sequence)), batch.Name);
        }
    }

    [Test]
    public async Task An_empty_report_records_nothing_and_still_closes_what_has_expired()
    {
        using var store = Open();
        await store.RecordResultsAsync([Result("A.One")]);
        _clock.Now += TimeSpan.FromHours(4);

        Assert.That(await store.RecordResultsAsync([]), Is.Empty);
        Assert.That((await store.GetBatchAsync(Nightly))!.Reason, Is.EqualTo(CloseReason.Idle));
    }

    [Test]
    public async Task Claiming_notifications_first_closes_the_batches_that_have_expired_and_claims_theirs()
    {
        using var store = Open();
        await store.RecordResultsAsync([Result("A.One", TestRunOutcome.Failed, error: "boom")]);
        Assert.That(await store.ClaimNotificationsAsync(), Is.Empty, "nothing closed yet");

        _clock.Now += TimeSpan.FromHours(4);
        var claimed = (await store.ClaimNotificationsAsync()).Single();

        Assert.That(
            (claimed.BatchId, claimed.Reason, claimed.FailedTests.Single().Name),
            Is.EqualTo(("nightly-7", "idle", "A.One")));
        Assert.That(await store.ClaimNotificationsAsync(), Is.Empty, "claimed once");
    }

    // The counts of a batch that holds these results, in the order they were kept.
    private static BatchCounts CountsOf(IReadOnlyList<TestResultRecord> kept)
    {
        var tests = kept
            .GroupBy(result => result.Test)
            .Select(runs => (
                Latest: runs.Last().Outcome,
                Runs: runs.Count(),
                Failures: runs.Count(run => run.Outcome == TestRunOutcome.Failed)))
            .ToList();
        return new BatchCounts(
            tests.Count(test => test.Latest == TestRunOutcome.Passed),
            tests.Count(test => test.Latest == TestRunOutcome.Failed),
            tests.Count(test => test.Latest is not (TestRunOutcome.Passed or TestRunOutcome.Failed)),
            kept
                .Select(result => (result.Attempt, result.Agent, result.Test.Assembly, result.TestBatch))
                .Distinct()
                .Count(),
            kept.Select(result => result.Agent).Distinct().Count(),
            kept.Sum(result => result.DurationMillis),
            tests.Count(test => test.Latest == TestRunOutcome.Passed && test.Failures > 0),
            tests.Count(test => test.Runs > 1));
    }

    [Test]
    public async Task Batches_are_listed_newest_first_in_pages_and_filtered()
    {
        using var store = Open();
        foreach (var name in new[] { "nightly-1", "nightly-2", "pr-17", "Nightly-3" })
        {
            await store.RecordResultsAsync([Result("A.One", id: BatchId.Parse(name))]);
            _clock.Now += TimeSpan.FromHours(1);
        }

        await store.CloseBatchAsync(BatchId.Parse("nightly-2"));

        var first = await store.ListBatchesAsync(new BatchListQuery(PageSize: 3));
        var second = await store.ListBatchesAsync(new BatchListQuery(Page: 2, PageSize: 3));
        var nightly = await store.ListBatchesAsync(new BatchListQuery(Name: "NIGHTLY"));
        var active = await store.ListBatchesAsync(new BatchListQuery(
            State: BatchState.Active,
            StartedFrom: Morning.AddMinutes(30),
            StartedBefore: Morning.AddHours(3)));
        var wildcard = await store.ListBatchesAsync(new BatchListQuery(Name: "%"));

        Assert.That(first.Batches.Select(b => b.Name), Is.EqualTo(new[] { "Nightly-3", "pr-17", "nightly-2" }));
        Assert.That((first.Total, second.Batches.Single().Name), Is.EqualTo((4, "nightly-1")));
        Assert.That(nightly.Batches.Select(b => b.Name), Is.EqualTo(new[] { "Nightly-3", "nightly-2", "nightly-1" }));
        Assert.That(active.Batches.Select(b => b.Name), Is.EqualTo(new[] { "pr-17" }));
        Assert.That(active.Batches.Single().Counts.Passed, Is.EqualTo(1), "an active batch's counts are live");
        Assert.That(wildcard.Total, Is.Zero, "a % in the name is text, not a wildcard");
    }

    [Test]
    public async Task A_batch_s_results_and_a_test_s_runs_come_back_in_order()
    {
        using var store = Open();
        await store.RecordResultsAsync([Result("A.One"), Result("A.Two", TestRunOutcome.Failed, error: "no")]);
        _clock.Now += TimeSpan.FromMinutes(1);
        await store.RecordResultsAsync([Result("A.One", testBatch: 2)]);
        await store.CloseBatchAsync(Nightly);
        _clock.Now += TimeSpan.FromMinutes(1);
        await store.RecordResultsAsync([Result("A.One", testBatch: 3)]);

        var results = (await store.GetResultsAsync(Nightly, 1, 1, 10)).Results;
        var runs = await store.GetTestRunsAsync(new TestKey("Tests", "A.One"), limit: 2);

        Assert.That(
            results.Select(r => (r.Test.FullyQualifiedName, r.TestBatch, r.ErrorMessage)),
            Is.EqualTo(new[] { ("A.Two", 1, "no"), ("A.One", 1, (string?)null), ("A.One", 2, null) }),
            "failed first, then by name and as recorded");
        Assert.That(
            runs.Select(r => (r.TestBatch, r.FinishedAt)),
            Is.EqualTo(new[] { (2, Morning.AddMinutes(1)), (3, Morning.AddMinutes(2)) }));
        Assert.That((await store.GetResultsAsync(Nightly, 9, 1, 10)).Results, Is.Empty);
    }

    [Test]
    public async Task Durations_are_the_percentile_of_each_asked_test_s_runs_in_the_window()
    {
        using var store = Open();
        for (var run = 1; run <= 10; run++)
        {
            await store.RecordResultsAsync([
                Result("A.One", testBatch: run) with
                {
                    DurationMillis = run * 10,
                    FinishedAt = Morning.AddDays(run - 10),
                },
                Result("A.Two", testBatch: run) with { DurationMillis = 5 },
                Result("A.Skipped", TestRunOutcome.Skipped, testBatch: run),
            ]);
        }

        var keys = new[]
        {
            new TestKey("Tests", "A.One"), new TestKey("Tests", "A.Skipped"), new TestKey("Tests", "A.Unknown"),
        };
        var all = await store.GetDurationsAsync(new DurationQuery(keys, 90, null, 100));
        var windowed = await store.GetDurationsAsync(new DurationQuery(keys, 50, Morning.AddDays(-3), 100));
        var latest = await store.GetDurationsAsync(new DurationQuery(keys, 100, null, 2));
        var planning = await store.GetDurationsAsync(
            new DurationQuery(keys, 90, null, 100, ExcludeBatchId: Nightly.Value));
        var other = await store.GetDurationsAsync(
            new DurationQuery(keys, 90, null, 100, ExcludeBatchId: "another-batch"));

        Assert.That(
            all,
            Is.EqualTo(new[] { new TestDuration(keys[0], 90, 10, 10) }),
            "skipped and unknown tests have no duration");
        Assert.That(windowed, Is.EqualTo(new[] { new TestDuration(keys[0], 80, 4, 4) }));
        Assert.That(latest, Is.EqualTo(new[] { new TestDuration(keys[0], 100, 2, 2) }));
        Assert.That(planning, Is.Empty, "the runs of the batch being planned do not count");
        Assert.That(other, Is.EqualTo(all));
    }

    [Test]
    public async Task Expired_batches_among_many_active_ones_close_by_age_before_idle_at_their_exact_limits()
    {
        using var store = Database.Open(new BatchStoreOptions(
            new BatchLimits(IdleTimeout: TimeSpan.FromHours(2), MaxAge: TimeSpan.FromHours(3)),
            true,
            _clock));
        async Task ReportAt(int minutes, string id)
        {
            _clock.Now = Morning.AddMinutes(minutes);
            await store.RecordResultsAsync([Result($"A.At{minutes}", id: BatchId.Parse(id))]);
        }

        // run-i starts at minute i; run-0 to run-9 report again at minute 70. No write below
        // comes late enough to expire anything before the call under test.
        for (var i = 0; i < 60; i++)
        {
            await ReportAt(i, $"run-{i}");
        }

        for (var i = 0; i < 10; i++)
        {
            await ReportAt(70, $"run-{i}");
        }

        await ReportAt(90, "edge");
        await ReportAt(100, "busy");
        await ReportAt(125, "busy");
        _clock.Now = Morning.AddMinutes(210);

        var closed = await store.CloseExpiredAsync();

        // At minute 210 run-i is 210 - i minutes old: older than 180 for i < 30, run-0 to run-9
        // too although they reported since; every run is idle for more than 120 minutes. run-30,
        // exactly 180 minutes old, closes as idle; edge, idle exactly 120 minutes, stays open.
        var expected = Enumerable.Range(0, 60).Select(i => ($"run-{i}", i < 30 ? CloseReason.Age : CloseReason.Idle));
        Assert.That(
            closed.Select(b => (b.Id.Value, b.Reason!.Value)),
            Is.EqualTo(expected),
            "every expired batch, by key");
        Assert.That(closed.All(b => b.ClosedAt == _clock.Now && b.State == BatchState.Closed));
        Assert.That((await store.GetBatchAsync(BatchId.Parse("edge")))!.State, Is.EqualTo(BatchState.Active));
        Assert.That((await store.GetBatchAsync(BatchId.Parse("busy")))!.State, Is.EqualTo(BatchState.Active));
        Assert.That(await store.CloseExpiredAsync(), Is.Empty, "closed once");
    }

    [Test]
    public async Task A_version_3_database_gains_version_8_s_indexes_counts_digests_and_re_run_marks_keeping_batches()
    {
        using (var store = Open())
        {
            await store.RecordResultsAsync([Result("A.One"), Result("A.Two", TestRunOutcome.Failed, error: "boom")]);
            await store.RecordResultsAsync(
            [
                Result("A.One", id: BatchId.Parse("done")),
                Result("A.Flaky", TestRunOutcome.Failed, id: BatchId.Parse("done")),
            ]);
            await store.RecordResultsAsync([Result("A.Flaky", id: BatchId.Parse("done"), testBatch: 2)]);
            await store.CloseBatchAsync(BatchId.Parse("done"));
        }

        // Version 3 is version 8 without the three indexes of version 4, the two counts of version 5,
        // the outbox of version 6, the digests of version 7 and the re-run marks of version 8.
        const string Version3 =
            $"{RerunTests.UndoVersion8} {LongTextTests.UndoVersion7} {NotificationOutboxTests.Version6} "
            + "DROP INDEX ix_batches_active_idle; DROP INDEX ix_batches_active_age; DROP INDEX ix_batches_unnotified; "
            + "ALTER TABLE batches DROP COLUMN flaky; ALTER TABLE batches DROP COLUMN retried;";
        Database.Execute(Database.Provider == "sqlite"
            ? $"{Version3} PRAGMA user_version = 3;"
            : $"{Version3} DELETE FROM batchbuild_schema WHERE version > 3;");
        Assert.That(Convert.ToInt32(Database.Execute(Version), CultureInfo.InvariantCulture), Is.EqualTo(3));

        _clock.Now += TimeSpan.FromHours(4);
        using var migrated = Open();
        var expired = await migrated.CloseExpiredAsync();

        Assert.That(Convert.ToInt32(Database.Execute(Version), CultureInfo.InvariantCulture), Is.EqualTo(8));
        const string indexes = "('ix_batches_active_idle', 'ix_batches_active_age', 'ix_batches_unnotified')";
        var indexCount = Database.Execute(Database.Provider == "sqlite"
            ? $"SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN {indexes}"
            : $"SELECT COUNT(*) FROM pg_indexes WHERE indexname IN {indexes}");
        Assert.That(Convert.ToInt32(indexCount, CultureInfo.InvariantCulture), Is.EqualTo(3));
        Assert.That(
            expired.Single().Counts,
            Is.EqualTo(new BatchCounts(1, 1, 0, 1, 1, 200)),
            "the active batch kept its counts and expired");
        var done = (await migrated.GetBatchAsync(BatchId.Parse("done")))!;
        Assert.That(done.Reason, Is.EqualTo(CloseReason.Explicit));
        Assert.That(
            (done.Counts.Passed, done.Counts.Flaky, done.Counts.Retried),
            Is.EqualTo((2, 1, 1)),
            "the closed batch's new counts come from its results");
        Assert.That((done.CiAttempt, done.Rerun), Is.EqualTo((1, false)), "no batch of an older version was re-run");
    }

    [Test]
    public async Task A_fresh_database_reaches_version_8()
    {
        using var store = Open();

        Assert.That(Convert.ToInt32(Database.Execute(Version), CultureInfo.InvariantCulture), Is.EqualTo(8));
    }

    private string Version =>
        Database.Provider == "sqlite" ? "PRAGMA user_version" : "SELECT MAX(version) FROM batchbuild_schema";

    [Test]
    public async Task A_batch_s_results_come_in_pages_failed_first_and_its_timeline_in_pages_of_its_runs_by_finish()
    {
        using var store = Open();
        await store.RecordResultsAsync([.. Enumerable.Range(0, 5).Select(i => Result($"B.Pass{i}", testBatch: 1))]);
        await store.RecordResultsAsync(
        [
            Result("C.Fail", TestRunOutcome.Failed, testBatch: 2, agent: "agent-2", error: "no"),
            Result("A.Pass", testBatch: 2, agent: "agent-2"),
        ]);
        await store.RecordResultsAsync([Result("A.Fail", TestRunOutcome.Failed, testBatch: 3, agent: "agent-2")]);

        var first = await store.GetResultsAsync(Nightly, 1, page: 1, pageSize: 3);
        var third = await store.GetResultsAsync(Nightly, 1, page: 3, pageSize: 3);
        var beyond = await store.GetResultsAsync(Nightly, 1, page: 4, pageSize: 3);
        var timeline = await store.GetTimelineAsync(Nightly, 1, page: 1, pageSize: 2);
        var rest = await store.GetTimelineAsync(Nightly, 1, page: 2, pageSize: 2);
        var none = await store.GetTimelineAsync(Nightly, 9, page: 1, pageSize: 2);

        Assert.That(
            first.Results.Select(r => r.Test.FullyQualifiedName),
            Is.EqualTo(new[] { "A.Fail", "C.Fail", "A.Pass" }));
        Assert.That((first.Total, first.Page, first.PageSize), Is.EqualTo((8, 1, 3)));
        Assert.That(third.Results.Select(r => r.Test.FullyQualifiedName), Is.EqualTo(new[] { "B.Pass3", "B.Pass4" }));
        Assert.That(beyond.Results, Is.Empty);
        Assert.That((timeline.Total, timeline.Page, timeline.PageSize, rest.Total), Is.EqualTo((3, 1, 2, 3)));
        Assert.That(timeline.Spans.Concat(rest.Spans), Is.EqualTo(new[]
        {
            new TestBatchSpan("agent-1", "Tests", 1, Morning.AddMilliseconds(-500), Morning, 5, 0),
            new TestBatchSpan("agent-2", "Tests", 2, Morning.AddMilliseconds(-200), Morning, 2, 1),
            new TestBatchSpan("agent-2", "Tests", 3, Morning.AddMilliseconds(-100), Morning, 1, 1),
        }), "every run once, by finish, then agent and test batch");
        Assert.That(none.Spans, Is.Empty, "no batch, no runs");
    }

    [Test]
    public async Task A_completion_lists_the_first_100_failed_tests_with_messages_cut_and_counts_the_rest()
    {
        using var store = Open();
        var message = new string('x', 16 * 1024);
        await store.RecordResultsAsync(
        [
            .. Enumerable.Range(0, 250).Select(i => Result($"A.Fail{i:000}", TestRunOutcome.Failed, error: message)),
            Result("A.Short", TestRunOutcome.Failed, error: "short"),
        ]);
        await store.CloseBatchAsync(Nightly);

        var completion = (await store.ClaimNotificationsAsync()).Single();

        Assert.That(completion.FailedTests, Has.Count.EqualTo(BatchCompletion.MaxFailedTests));
        Assert.That(completion.FailedTestsOmitted, Is.EqualTo(151));
        Assert.That(completion.FailedTests[0].Name, Is.EqualTo("A.Fail000"));
        Assert.That(
            completion.FailedTests.Select(t => t.Message!.Length),
            Is.All.EqualTo(BatchCompletion.MaxMessageLength));
        Assert.That(completion.FailedTests[0].Message, Does.EndWith("x…"));
        Assert.That(completion.ToJson().Length, Is.LessThan(150_000));
        Assert.That(BatchCompletion.FromJson(completion.ToJson()).FailedTestsOmitted, Is.EqualTo(151));
    }

    [Test]
    public async Task Results_an_older_version_stored_with_infinite_huge_or_negative_durations_or_the_first_date_read()
    {
        using var store = Open();
        await store.RecordResultsAsync(
        [
            Result("A.Inf", TestRunOutcome.Failed, error: "boom"),
            Result("A.Huge"),
            Result("A.Negative"),
            Result("A.Ancient", testBatch: 2),
        ]);
        var infinity = Database.Provider == "sqlite" ? "9e999" : "'Infinity'::float8";
        var first = Database.Provider == "sqlite"
            ? "'0001-01-01T00:00:00.0000000Z'"
            : "'0001-01-01 00:00:00+00'::timestamptz";
        Database.Execute($"""
            UPDATE test_results SET duration_ms = {infinity} WHERE full_name = 'A.Inf';
            UPDATE test_results SET duration_ms = 1e300 WHERE full_name = 'A.Huge';
            UPDATE test_results SET duration_ms = -5 WHERE full_name = 'A.Negative';
            UPDATE test_results SET finished_at = {first}, duration_ms = 1e300 WHERE full_name = 'A.Ancient';
            UPDATE batches SET test_ms = {infinity};
            """);

        var listed = await store.ListBatchesAsync(new BatchListQuery());
        var batch = await store.GetBatchAsync(Nightly, 1);
        var page = await store.GetResultsAsync(Nightly, 1, 1, 10);
        var timeline = await store.GetTimelineAsync(Nightly, 1, 1, 10);
        var runs = await store.GetTestRunsAsync(new TestKey("Tests", "A.Inf"), 10);
        var durations = await store.GetDurationsAsync(new DurationQuery(
            [new TestKey("Tests", "A.Huge"), new TestKey("Tests", "A.Negative")],
            90,
            null,
            10));
        await store.CloseBatchAsync(Nightly);
        var completion = (await store.ClaimNotificationsAsync()).Single();

        Assert.That(
            listed.Batches.Single().Counts.TestMillis,
            Is.EqualTo(double.MaxValue),
            "a batch's total is finite");
        Assert.That(batch!.Counts.TestMillis, Is.EqualTo(double.MaxValue));
        var durationsByName = page.Results.ToDictionary(r => r.Test.FullyQualifiedName, r => r.DurationMillis);
        Assert.That(durationsByName, Is.EquivalentTo(new Dictionary<string, double>
        {
            ["A.Inf"] = TestResultRecord.MaxDurationMillis,
            ["A.Huge"] = TestResultRecord.MaxDurationMillis,
            ["A.Negative"] = 0,
            ["A.Ancient"] = TestResultRecord.MaxDurationMillis,
        }));
        Assert.That(timeline.Spans.Select(s => (s.TestBatch, s.StartedAt)), Is.EquivalentTo(new[]
        {
            (1, Morning - TimeSpan.FromMilliseconds(2 * TestResultRecord.MaxDurationMillis)),
            (2, DateTimeOffset.MinValue),
        }));
        Assert.That(runs.Single().DurationMillis, Is.EqualTo(TestResultRecord.MaxDurationMillis));
        Assert.That(durations.Select(d => d.Millis), Is.EquivalentTo(new[] { TestResultRecord.MaxDurationMillis, 0 }));
        Assert.That(() => completion.ToJson(), Throws.Nothing);
    }
}
