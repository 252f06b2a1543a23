using System.Collections.Immutable;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Planning;
using BatchBuild.Core.Store;

namespace BatchBuild.Core.Running;

/// <summary>How a test batch ended.</summary>
public enum TestBatchStatus
{
    /// <summary>Every test ran and none failed.</summary>
    Passed,

    /// <summary>Every test ran and at least one failed.</summary>
    Failed,

    /// <summary>Some test did not report a result, or the run failed without a failed test: the test host crashed or the run was aborted.</summary>
    Crashed,
}

/// <summary>What one test batch's run gave: counts, missing tests and status.</summary>
public sealed record TestBatchOutcome(
    TestBatch Batch,
    TestBatchStatus Status,
    int Passed,
    int Failed,
    int Skipped,
    ImmutableArray<string> FailedTests,
    ImmutableArray<string> NotRun,
    ImmutableArray<string> Unplanned,
    TimeSpan Elapsed)
{
    /// <summary>
    /// Judges a test batch from the results its collector reported (null when none came back)
    /// and the exit code of its run. A test that reported several results (data rows) counts by
    /// its worst one.
    /// </summary>
    public static TestBatchOutcome Judge(TestBatch batch, IReadOnlyList<TestBatchResult>? results, int exitCode, TimeSpan elapsed)
    {
        var byTest = (results ?? [])
            .GroupBy(result => result.FullyQualifiedName, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => TestBatchResult.Worst(group.Select(result => result.Outcome)), StringComparer.Ordinal);
        var planned = batch.Tests.Select(test => test.FullyQualifiedName).ToHashSet(StringComparer.Ordinal);

        var notRun = planned.Where(name => !byTest.ContainsKey(name)).Order(StringComparer.Ordinal).ToImmutableArray();
        var unplanned = byTest.Keys.Where(name => !planned.Contains(name)).Order(StringComparer.Ordinal).ToImmutableArray();
        var failed = byTest.Where(pair => pair.Value == TestRunOutcome.Failed).Select(pair => pair.Key).Order(StringComparer.Ordinal).ToImmutableArray();
        var passed = byTest.Count(pair => pair.Value == TestRunOutcome.Passed);
        var skipped = byTest.Count(pair => pair.Value is TestRunOutcome.Skipped or TestRunOutcome.None);

        var status = notRun.Length > 0 || (exitCode != 0 && failed.Length == 0) ? TestBatchStatus.Crashed
            : failed.Length > 0 ? TestBatchStatus.Failed
            : TestBatchStatus.Passed;
        return new TestBatchOutcome(batch, status, passed, failed.Length, skipped, failed, notRun, unplanned, elapsed);
    }
}
