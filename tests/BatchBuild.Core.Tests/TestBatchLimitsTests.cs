using BatchBuild.Core.Running;

namespace BatchBuild.Core.Tests;

public sealed class TestBatchLimitsTests
{
    private static readonly TestBatchLimits Limits = new(TestBatchMillis: 600_000, TestOutputMillis: 5_000);

    [Test]
    public void A_test_host_slow_to_start_its_first_test_is_not_killed_at_the_output_limit()
    {
        Assert.That(
            Limits.PassedAt(elapsedMillis: 20_000, lastTestMillis: null),
            Is.Null,
            "a busy machine's slow start is no test's silence");
        Assert.That(
            Limits.PassedAt(TestBatchLimits.StartAllowanceMillis + 1, lastTestMillis: null),
            Is.EqualTo(TimeLimitKind.TestOutput),
            "a host that never starts a test is killed all the same");
    }

    [Test]
    public void The_output_limit_counts_from_the_last_test_the_run_heard_of()
    {
        Assert.That(Limits.PassedAt(elapsedMillis: 24_000, lastTestMillis: 20_000), Is.Null);
        Assert.That(
            Limits.PassedAt(elapsedMillis: 25_001, lastTestMillis: 20_000),
            Is.EqualTo(TimeLimitKind.TestOutput));
    }

    [Test]
    public void The_test_batch_limit_passes_first_whatever_the_tests_said()
    {
        Assert.That(
            Limits.PassedAt(elapsedMillis: 600_001, lastTestMillis: 600_000),
            Is.EqualTo(TimeLimitKind.TestBatch));
        Assert.That(
            new TestBatchLimits(10_000, 120_000).PassedAt(elapsedMillis: 10_001, lastTestMillis: null),
            Is.EqualTo(TimeLimitKind.TestBatch));
    }

    [Test]
    public void An_output_limit_longer_than_the_start_allowance_is_kept_for_the_start()
    {
        var patient = new TestBatchLimits(long.MaxValue / 2, TestOutputMillis: 300_000);
        Assert.That(patient.PassedAt(elapsedMillis: 200_000, lastTestMillis: null), Is.Null);
        Assert.That(
            patient.PassedAt(elapsedMillis: 300_001, lastTestMillis: null),
            Is.EqualTo(TimeLimitKind.TestOutput));
    }
}
