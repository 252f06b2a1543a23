using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Planning;
using BatchBuild.Core.Running;

namespace BatchBuild.Core.Tests;

public sealed class AttemptLedgerTests
{
    private static TestBatch Batch(params string[] names) =>
        new(1, Suite.Assembly, SelectableTest.From(Suite.Discovered(names)), 100, "fixed-size");

    private static Dictionary<string, TestRunOutcome> Outcomes(params (string Id, TestRunOutcome Outcome)[] outcomes) =>
        outcomes.ToDictionary(o => o.Id, o => o.Outcome);

    [Test]
    public void A_test_that_fails_then_passes_is_retried_and_flaky()
    {
        var ledger = new AttemptLedger(new RetryPolicy(TotalAllowedRetryQuota: 5, RetryPerTestQuota: 2, UncompletedTestRetryQuota: 1), ExecutionMode.AnySuccess);

        var again = ledger.Record(Batch("A.Flaky", "A.Fine"), Outcomes(("A.Flaky", TestRunOutcome.Failed), ("A.Fine", TestRunOutcome.Passed)));
        Assert.That(again.Select(t => t.Id), Is.EqualTo(new[] { "A.Flaky" }));

        Assert.That(ledger.Record(Batch("A.Flaky"), Outcomes(("A.Flaky", TestRunOutcome.Passed))), Is.Empty);
        Assert.That((ledger.VerdictOf("A.Flaky"), ledger.VerdictOf("A.Fine")), Is.EqualTo((TestVerdict.Flaky, TestVerdict.Passed)));
        Assert.That((ledger.AttemptsOf("A.Flaky"), ledger.RetriesUsed), Is.EqualTo((2, 1)));
    }

    [Test]
    public void Quotas_hold_exactly_per_test_and_for_the_whole_run()
    {
        var ledger = new AttemptLedger(new RetryPolicy(TotalAllowedRetryQuota: 3, RetryPerTestQuota: 2, UncompletedTestRetryQuota: 0), ExecutionMode.AnySuccess);
        var failing = Outcomes(("A.One", TestRunOutcome.Failed), ("A.Two", TestRunOutcome.Failed));

        Assert.That(ledger.Record(Batch("A.One", "A.Two"), failing), Has.Count.EqualTo(2));
        Assert.That(ledger.Record(Batch("A.One", "A.Two"), failing).Select(t => t.Id), Is.EqualTo(new[] { "A.One" }), "the run's quota of 3 is used up");
        Assert.That(ledger.Record(Batch("A.One"), failing), Is.Empty, "A.One's quota of 2 is used up");
        Assert.That((ledger.AttemptsOf("A.One"), ledger.AttemptsOf("A.Two"), ledger.RetriesUsed), Is.EqualTo((3, 2, 3)));
        Assert.That(ledger.VerdictOf("A.One"), Is.EqualTo(TestVerdict.Failed));
    }

    [Test]
    public void Uncompleted_tests_run_again_outside_the_retry_quota_and_the_suspect_counts_as_failed()
    {
        var ledger = new AttemptLedger(RetryPolicy.NoRetry, ExecutionMode.AnySuccess);

        var again = ledger.Record(Batch("A.Crasher", "A.After", "A.Before"), Outcomes(("A.Before", TestRunOutcome.Passed)), suspect: "A.Crasher");

        Assert.That(again.Select(t => t.Id), Is.EqualTo(new[] { "A.After" }), "no-retry: the suspect failed; the one after it never ran");
        Assert.That(ledger.Record(Batch("A.After"), Outcomes()), Is.Empty, "once again at most");
        Assert.That((ledger.VerdictOf("A.Crasher"), ledger.VerdictOf("A.After"), ledger.RetriesUsed), Is.EqualTo((TestVerdict.Failed, TestVerdict.Failed, 0)));
    }

    [Test]
    public void All_success_fails_a_test_with_any_failing_run_and_does_not_retry_it()
    {
        var ledger = new AttemptLedger(new RetryPolicy(5, 5, 1), ExecutionMode.AllSuccess);

        Assert.That(ledger.Record(Batch("A.Flaky"), Outcomes(("A.Flaky", TestRunOutcome.Failed))), Is.Empty);
        ledger.Record(Batch("A.Flaky"), Outcomes(("A.Flaky", TestRunOutcome.Passed)));
        ledger.Record(Batch("A.Skip"), Outcomes(("A.Skip", TestRunOutcome.Skipped)));

        Assert.That((ledger.VerdictOf("A.Flaky"), ledger.VerdictOf("A.Skip")), Is.EqualTo((TestVerdict.Failed, TestVerdict.Skipped)));
    }
}
