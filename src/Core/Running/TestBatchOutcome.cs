using System.Collections.Immutable;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Planning;

namespace BatchBuild.Core.Running;

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
    /// Judges a test batch from the results its run reported and whether the run itself failed
    /// (its test host crashed, or it was aborted). A test that reported several results (cases
    /// that share an ID) counts by its worst one.
    /// </summary>
    public static TestBatchOutcome Judge(
        TestBatch batch,
        IReadOnlyList<TestCaseResult> results,
        bool runFailed,
        TimeSpan elapsed)
    {
        var byTest = TestCaseResult.WorstById(results);
        var planned = batch.Tests.ToDictionary(test => test.Id, StringComparer.Ordinal);

        var notRun = batch.Tests.Where(test => !byTest.ContainsKey(test.Id))
            .Select(test => test.ToString())
            .ToImmutableArray();
        var unplanned = results.Where(result => !planned.ContainsKey(result.TestId))
            .Select(result => result.DisplayName)
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToImmutableArray();
        var failed = batch.Tests.Where(test => byTest.GetValueOrDefault(test.Id) == TestRunOutcome.Failed)
            .Select(test => test.ToString())
            .ToImmutableArray();
        var passed = batch.Tests.Count(test =>
            byTest.TryGetValue(test.Id, out var outcome) && outcome == TestRunOutcome.Passed);
        var skipped = batch.Tests.Count(test =>
            byTest.TryGetValue(test.Id, out var outcome) && outcome is TestRunOutcome.Skipped or TestRunOutcome.None);

        var status = notRun.Length > 0 || (runFailed && failed.Length == 0) ? TestBatchStatus.Crashed
            : failed.Length > 0 ? TestBatchStatus.Failed
            : TestBatchStatus.Passed;
        return new TestBatchOutcome(batch, status, passed, failed.Length, skipped, failed, notRun, unplanned, elapsed);
    }
}
