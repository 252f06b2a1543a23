using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Planning;
using BatchBuild.Core.Running;

namespace BatchBuild.Core.Tests;

public sealed class AttemptLedgerTests
{
    private static TestBatch Batch(params string[] names) =>
        new(1, Suite.Assembly, SelectableTest.From(Suite.Discovered(names)), 100, "fixed-size");

    private static string Ids(RunAgain run) => string.Join(' ', run.Tests.Select(test => test.Id));

    private static Dictionary<string, TestRunOutcome> Outcomes(params (string Id, TestRunOutcome Outcome)[] outcomes) =>
        outcomes.ToDictionary(o => o.Id, o => o.Outcome);

    [Test]
    public void A_test_that_fails_then_passes_is_retried_and_flaky()
    {
        var ledger = new AttemptLedger(
            new RetryPolicy(TotalAllowedRetryQuota: 5, RetryPerTestQuota: 2, UncompletedTestRetryQuota: 1),
            ExecutionMode.AnySuccess);

        var again = ledger.Record(
            Batch("A.Flaky", "A.Fine"),
            Outcomes(("A.Flaky", TestRunOutcome.Failed), ("A.Fine", TestRunOutcome.Passed)));
        Assert.That(
            again.Select(run => (Ids(run), run.Reason, run.Run)),
            Is.EqualTo(new[] { ("A.Flaky", RunAgainReason.Failed, 1) }));

        Assert.That(ledger.Record(Batch("A.Flaky"), Outcomes(("A.Flaky", TestRunOutcome.Passed))), Is.Empty);
        Assert.That(
            (ledger.VerdictOf("A.Flaky"), ledger.VerdictOf("A.Fine")),
            Is.EqualTo((TestVerdict.Flaky, TestVerdict.Passed)));
        Assert.That((ledger.AttemptsOf("A.Flaky"), ledger.RetriesUsed), Is.EqualTo((2, 1)));
    }

    [Test]
    public void Quotas_hold_exactly_per_test_and_for_the_whole_run()
    {
        var ledger = new AttemptLedger(
            new RetryPolicy(TotalAllowedRetryQuota: 3, RetryPerTestQuota: 2, UncompletedTestRetryQuota: 0),
            ExecutionMode.AnySuccess);
        var failing = Outcomes(("A.One", TestRunOutcome.Failed), ("A.Two", TestRunOutcome.Failed));

        Assert.That(ledger.Record(Batch("A.One", "A.Two"), failing), Has.Count.EqualTo(2));
        Assert.That(
            ledger.Record(Batch("A.One", "A.Two"), failing).Select(Ids),
            Is.EqualTo(new[] { "A.One" }),
            "the run's quota of 3 is used up");
        Assert.That(ledger.Record(Batch("A.One"), failing), Is.Empty, "A.One's quota of 2 is used up");
        Assert.That(
            (ledger.AttemptsOf("A.One"), ledger.AttemptsOf("A.Two"), ledger.RetriesUsed),
            Is.EqualTo((3, 2, 3)));
        Assert.That(ledger.VerdictOf("A.One"), Is.EqualTo(TestVerdict.Failed));
    }

    [Test]
    public void After_a_crash_the_suspect_and_each_test_that_never_ran_run_again_alone_within_the_uncompleted_quota()
    {
        var ledger = new AttemptLedger(RetryPolicy.NoRetry, ExecutionMode.AnySuccess);

        var again = ledger.Record(
            Batch("A.Crasher", "A.After", "A.Later", "A.Before"),
            Outcomes(("A.Before", TestRunOutcome.Passed), ("A.Crasher", TestRunOutcome.Failed)),
            suspects: ["A.Crasher"]);

        Assert.That(again.Select(run => (Ids(run), run.Reason, run.Run)), Is.EqualTo(new[]
        {
            ("A.Crasher", RunAgainReason.Crashed, 1),
            ("A.After", RunAgainReason.Uncompleted, 1),
            ("A.Later", RunAgainReason.Uncompleted, 1),
        }));
        Assert.That(
            ledger.Record(Batch("A.Crasher"), Outcomes(("A.Crasher", TestRunOutcome.Failed)), suspects: ["A.Crasher"]),
            Is.Empty,
            "once again at most");
        Assert.That(ledger.Record(Batch("A.After"), Outcomes(("A.After", TestRunOutcome.Passed))), Is.Empty);
        Assert.That(ledger.Record(Batch("A.Later"), Outcomes()), Is.Empty, "A.Later never ran, and ran again once");
        Assert.That(
            (ledger.VerdictOf("A.Crasher"),
                ledger.VerdictOf("A.After"),
                ledger.AttemptsOf("A.Crasher"),
                ledger.RetriesUsed),
            Is.EqualTo((TestVerdict.Failed, TestVerdict.Passed, 2, 0)));
        Assert.That(
            ledger.Count(Batch("A.Crasher", "A.After", "A.Later", "A.Before").Tests),
            Is.EqualTo(new RunCounts(2, 1, 0, 1, 0, 3)),
            "a test that did not run, then passed, is not flaky");
    }

    [Test]
    public void A_timed_out_test_runs_again_alone_as_timed_out()
    {
        var ledger = new AttemptLedger(RetryPolicy.NoRetry, ExecutionMode.AnySuccess);

        var again = ledger.Record(
            Batch("A.Hangs", "A.Next"),
            Outcomes(("A.Hangs", TestRunOutcome.Failed)),
            suspects: ["A.Hangs"],
            timedOut: true);

        Assert.That(
            again.Select(run => (Ids(run), run.Reason)),
            Is.EqualTo(new[] { ("A.Hangs", RunAgainReason.TimedOut), ("A.Next", RunAgainReason.Uncompleted) }));
    }

    [Test]
    public void A_test_planned_twice_is_retried_only_when_no_run_is_pending_and_none_passed()
    {
        var ledger = new AttemptLedger(new RetryPolicy(10, 3, 1), ExecutionMode.AnySuccess);
        TestBatch[] plan = [Batch("A.Flaky", "A.Other"), Batch("A.Flaky")];
        ledger.Plan(plan);

        Assert.That(
            ledger.Record(plan[0], Outcomes(("A.Flaky", TestRunOutcome.Failed), ("A.Other", TestRunOutcome.Passed))),
            Is.Empty,
            "its second planned run is pending");
        Assert.That(
            ledger.Record(plan[1], Outcomes(("A.Flaky", TestRunOutcome.Failed))).Select(Ids),
            Is.EqualTo(new[] { "A.Flaky" }),
            "both planned runs failed");
        Assert.That(ledger.RetriesUsed, Is.EqualTo(1));
    }

    [Test]
    public void Fast_execution_drops_the_pending_runs_of_a_test_that_passed()
    {
        var ledger = new AttemptLedger(new RetryPolicy(10, 3, 1), ExecutionMode.AnySuccess, fast: true);
        TestBatch[] plan = [Batch("A.Flaky", "A.Other"), Batch("A.Flaky", "A.Third"), Batch("A.Flaky")];
        ledger.Plan(plan);

        ledger.Record(plan[0], Outcomes(("A.Flaky", TestRunOutcome.Passed), ("A.Other", TestRunOutcome.Passed)));

        Assert.That(ledger.Drop(plan[1])?.Tests.Select(test => test.Id), Is.EqualTo(new[] { "A.Third" }));
        Assert.That(ledger.Drop(plan[2]), Is.Null);
        Assert.That(ledger.Dropped, Is.EqualTo(2));
        Assert.That(
            new AttemptLedger(RetryPolicy.NoRetry, ExecutionMode.AnySuccess).Drop(plan[2]),
            Is.SameAs(plan[2]),
            "without fast, nothing is dropped");
    }

    [Test]
    public void All_success_fails_a_test_with_any_failing_run_and_does_not_retry_it()
    {
        var ledger = new AttemptLedger(new RetryPolicy(5, 5, 1), ExecutionMode.AllSuccess);

        Assert.That(ledger.Record(Batch("A.Flaky"), Outcomes(("A.Flaky", TestRunOutcome.Failed))), Is.Empty);
        ledger.Record(Batch("A.Flaky"), Outcomes(("A.Flaky", TestRunOutcome.Passed)));
        ledger.Record(Batch("A.Skip"), Outcomes(("A.Skip", TestRunOutcome.Skipped)));

        Assert.That(
            (ledger.VerdictOf("A.Flaky"), ledger.VerdictOf("A.Skip")),
            Is.EqualTo((TestVerdict.Failed, TestVerdict.Skipped)));
    }
}
