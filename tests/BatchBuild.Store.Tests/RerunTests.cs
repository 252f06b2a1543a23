using BatchBuild.Core.Batches;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Store;

namespace BatchBuild.Store.Tests;

/// <summary>
/// A re-run of a CI job joining the batch of the run it re-runs, on a real SQLite file and on a real
/// PostgreSQL database: the run had agents 1 and 2; agent 2's job failed.
/// </summary>
[TestFixtureSource(typeof(TestDatabase), nameof(TestDatabase.Providers))]
public sealed class RerunTests(string provider) : DatabaseTest(provider)
{
    /// <summary>Turns a version 8 database back into version 7: no re-run marks.</summary>
    internal const string UndoVersion8 =
        "ALTER TABLE batches DROP COLUMN ci_attempt; ALTER TABLE batches DROP COLUMN rerun;";

    private static readonly BatchId Run = BatchId.Parse("azure-501");
    private static readonly DateTimeOffset Morning = new(2026, 12, 7, 8, 0, 0, TimeSpan.Zero);
    private readonly ManualClock _clock = new(Morning);

    [SetUp]
    public void ResetClock() => _clock.Now = Morning;

    private SqlBatchStore Open() => Database.Open(new BatchStoreOptions(BatchLimits.Default, true, _clock));

    private TestResultRecord Result(
        string name, string agent, TestRunOutcome outcome = TestRunOutcome.Passed, int testBatch = 1) =>
        new(
            Run,
            testBatch,
            new TestKey("Shop.Tests", name),
            name,
            outcome,
            100,
            _clock.Now,
            agent,
            $"{agent}-{testBatch}-{_clock.Now.Ticks}",
            outcome == TestRunOutcome.Failed ? "boom" : null);

    // The first attempt: agent 1 passes A and B, agent 2 passes C and fails D; the close job
    // closes the batch and its completion is delivered.
    private async Task<BatchCompletion> FirstAttemptAsync(
        SqlBatchStore store, TestRunOutcome agent2 = TestRunOutcome.Failed)
    {
        await store.RecordResultsAsync([Result("A", "1@vm-a"), Result("B", "1@vm-a")]);
        await store.RecordResultsAsync(
            [Result("C", "2@vm-b", testBatch: 2), Result("D", "2@vm-b", agent2, testBatch: 2)]);
        await store.CloseBatchAsync(Run);
        var sent = (await store.ClaimNotificationsAsync()).Single();
        await store.CompleteNotificationAsync(sent, delivered: true);
        _clock.Now += TimeSpan.FromMinutes(20);
        return sent;
    }

    [Test]
    public async Task A_re_run_of_the_failed_agent_re_opens_the_run_s_batch_whose_next_close_is_sent_as_a_re_run()
    {
        using var store = Open();
        var first = await FirstAttemptAsync(store);

        var joined = await store.JoinRerunAsync(Run, new Rerun(2, 2, 2));
        var sameAttempt = await store.JoinRerunAsync(Run, new Rerun(2, 2, 2));
        await store.RecordResultsAsync([Result("C", "2@vm-c", testBatch: 2), Result("D", "2@vm-c", testBatch: 2)]);
        var closed = await store.CloseBatchAsync(Run);
        var again = (await store.ClaimNotificationsAsync()).Single();

        Assert.That((first.Rerun, first.Attempt, first.Counts.Failed), Is.EqualTo((false, 1, 1)));
        Assert.That(
            (joined!.Status, joined.Batch.Sequence, joined.Batch.State, joined.Batch.Rerun, joined.Batch.CiAttempt),
            Is.EqualTo((RerunStatus.Reopened, 1, BatchState.Active, true, 2)));
        Assert.That(joined.Batch.Counts.Total, Is.EqualTo(4), "the run's results stay in it");
        Assert.That(
            (sameAttempt!.Status, sameAttempt.Batch.Sequence),
            Is.EqualTo((RerunStatus.Joined, 1)),
            "another project or process of the attempt");
        Assert.That((closed.Status, closed.Batch!.Sequence), Is.EqualTo((CloseStatus.Closed, 1)));
        Assert.That((again.Name, again.Sequence, again.Rerun, again.Attempt), Is.EqualTo(("azure-501", 1, true, 2)));
        Assert.That(
            again.Counts,
            Is.EqualTo(new BatchCounts(4, 0, 0, 3, 3, 600, Flaky: 1, Retried: 2)),
            "every test of the run, as the re-run left it");
        Assert.That(again.FailedTests, Is.Empty);
        Assert.That(again.ToLogLine(), Does.Contain("closed (explicit, again after the re-run of attempt 2)"));
        Assert.That(await store.ClaimNotificationsAsync(), Is.Empty, "sent again once");
    }

    [Test]
    public async Task A_re_run_of_an_agent_that_recorded_nothing_before_its_job_failed_re_opens_the_batch()
    {
        using var store = Open();
        await FirstAttemptAsync(store, agent2: TestRunOutcome.Passed);

        var joined = await store.JoinRerunAsync(Run, new Rerun(2, 3, 3));

        Assert.That((joined!.Status, joined.Batch.Sequence), Is.EqualTo((RerunStatus.Reopened, 1)));
    }

    [Test]
    public async Task An_agent_s_re_run_whose_share_passed_in_a_batch_without_failures_reruns_every_job_in_a_new_batch()
    {
        using var store = Open();
        await FirstAttemptAsync(store, agent2: TestRunOutcome.Passed);

        var started = await store.JoinRerunAsync(Run, new Rerun(2, 1, 2));
        var other = await store.JoinRerunAsync(Run, new Rerun(2, 2, 2));
        var recorded = (await store.RecordResultsAsync([Result("A", "1@vm-c")])).Single();

        Assert.That(
            (started!.Status, started.Batch.Sequence, started.Batch.Name, started.Batch.Rerun, started.Batch.CiAttempt),
            Is.EqualTo((RerunStatus.Started, 2, "azure-501#2", false, 2)));
        Assert.That(
            (other!.Status, other.Batch.Sequence),
            Is.EqualTo((RerunStatus.Joined, 2)),
            "the attempt's other agents join the new batch");
        Assert.That((recorded.Sequence, recorded.Counts.Total), Is.EqualTo((2, 1)));
        Assert.That(
            (await store.GetBatchAsync(Run, 1))!.Counts.Total, Is.EqualTo(4), "the run's batch keeps its results");
    }

    [Test]
    public async Task A_re_run_of_every_job_after_a_failure_keeps_the_attempt_in_one_batch_whichever_agent_comes_first()
    {
        using var store = Open();
        await FirstAttemptAsync(store);

        var passedAgent = await store.JoinRerunAsync(Run, new Rerun(2, 1, 2));
        var failedAgent = await store.JoinRerunAsync(Run, new Rerun(2, 2, 2));

        Assert.That(
            (passedAgent!.Status, passedAgent.Batch.Sequence),
            Is.EqualTo((RerunStatus.Reopened, 1)),
            "a batch with a failed test is re-opened");
        Assert.That((failedAgent!.Status, failedAgent.Batch.Sequence), Is.EqualTo((RerunStatus.Joined, 1)));
    }

    [Test]
    public async Task A_batch_an_earlier_attempt_left_open_is_joined_and_marked_as_re_run()
    {
        using var store = Open();
        await store.RecordResultsAsync([Result("A", "1@vm-a"), Result("D", "2@vm-b", TestRunOutcome.Failed)]);

        var joined = await store.JoinRerunAsync(Run, new Rerun(2, 2, 2));
        var closed = await store.CloseBatchAsync(Run);

        Assert.That(
            (joined!.Status, joined.Batch.Sequence, joined.Batch.Rerun), Is.EqualTo((RerunStatus.Reopened, 1, true)));
        Assert.That((closed.Batch!.Rerun, closed.Batch.CiAttempt), Is.EqualTo((true, 2)));
    }

    [Test]
    public async Task A_later_re_run_re_opens_the_batch_again()
    {
        using var store = Open();
        await FirstAttemptAsync(store);
        await store.JoinRerunAsync(Run, new Rerun(2, 2, 2));
        await store.RecordResultsAsync([Result("D", "2@vm-c", TestRunOutcome.Failed, testBatch: 2)]);
        await store.CloseBatchAsync(Run);

        var third = await store.JoinRerunAsync(Run, new Rerun(3, 2, 2));

        Assert.That(
            (third!.Status, third.Batch.Sequence, third.Batch.CiAttempt), Is.EqualTo((RerunStatus.Reopened, 1, 3)));
    }

    [Test]
    public async Task A_batch_older_than_the_maximum_age_is_not_re_opened_and_the_re_run_starts_a_new_one()
    {
        using var store = Open();
        await FirstAttemptAsync(store);
        _clock.Now = Morning + BatchLimits.Default.MaxAge + TimeSpan.FromMinutes(1);

        var joined = await store.JoinRerunAsync(Run, new Rerun(2, 2, 2));

        Assert.That((joined!.Status, joined.TooOld, joined.Batch.Sequence), Is.EqualTo((RerunStatus.Started, true, 2)));
        Assert.That((await store.GetBatchAsync(Run, 1))!.State, Is.EqualTo(BatchState.Closed));
    }

    [Test]
    public async Task A_re_run_of_a_run_with_no_batch_starts_one()
    {
        using var store = Open();

        var joined = await store.JoinRerunAsync(Run, new Rerun(2, 1, 1));

        Assert.That(
            (joined!.Status, joined.Batch.Sequence, joined.Batch.State, joined.Batch.CiAttempt),
            Is.EqualTo((RerunStatus.Started, 1, BatchState.Active, 2)));
    }

    [Test]
    public async Task The_finished_tests_of_a_batch_are_those_whose_latest_result_passed_or_was_skipped()
    {
        using var store = Open();
        await store.RecordResultsAsync(
        [
            Result("A", "1@vm-a"),
            Result("B", "1@vm-a", TestRunOutcome.Failed),
            Result("C", "1@vm-a", TestRunOutcome.Skipped),
        ]);
        await store.RecordResultsAsync(
        [
            Result("D", "2@vm-b", TestRunOutcome.None),
            Result("E", "2@vm-b", TestRunOutcome.Failed),
            Result("E", "2@vm-b", testBatch: 3),
        ]);

        var finished = await store.GetFinishedTestsAsync(Run, 1);

        Assert.That(
            finished.Select(test => test.FullyQualifiedName).Order(), Is.EqualTo(new[] { "A", "C", "E" }));
        Assert.That(await store.GetFinishedTestsAsync(Run, 2), Is.Empty);
    }
}
