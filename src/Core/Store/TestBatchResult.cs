using BatchBuild.Core.Durations;

namespace BatchBuild.Core.Store;

/// <summary>One result reported in a test batch; a test with data rows reports several.</summary>
public sealed record TestBatchResult(
    string FullyQualifiedName,
    string DisplayName,
    TestRunOutcome Outcome,
    double DurationMillis,
    string? ErrorMessage = null)
{
    /// <summary>The outcome that stands for several: failed over passed over skipped over none.</summary>
    public static TestRunOutcome Worst(IEnumerable<TestRunOutcome> outcomes)
    {
        var all = outcomes.ToHashSet();
        return all.Contains(TestRunOutcome.Failed) ? TestRunOutcome.Failed
            : all.Contains(TestRunOutcome.Passed) ? TestRunOutcome.Passed
            : all.Contains(TestRunOutcome.Skipped) ? TestRunOutcome.Skipped
            : TestRunOutcome.None;
    }
}
