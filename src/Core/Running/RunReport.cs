using System.Globalization;
using BatchBuild.Core.Batches;

namespace BatchBuild.Core.Running;

/// <summary>The lines BatchBuild writes to the build log.</summary>
public static class RunReport
{
    /// <summary>
    /// One test batch's progress line, such as
    /// <c>[12/40] Tests fixed-size 5 tests 3.2 s passed</c>.
    /// </summary>
    public static string Progress(string project, TestBatchOutcome outcome, int testBatchCount)
    {
        var batch = outcome.Batch;
        var tests = batch.Tests.Length == 1 ? "1 test" : $"{batch.Tests.Length} tests";
        var status = outcome.Status switch
        {
            TestBatchStatus.Passed => "passed",
            TestBatchStatus.Failed => $"failed ({outcome.Failed} failed)",
            _ => $"crashed ({outcome.NotRun.Length} not run)",
        };
        return string.Create(CultureInfo.InvariantCulture, $"[{batch.Index}/{testBatchCount}] {project} {batch.Strategy} {tests} {outcome.Elapsed.TotalSeconds:0.0} s {status}");
    }

    /// <summary>The summary of one project's run.</summary>
    public static string Summary(string project, BatchId batchId, IReadOnlyCollection<TestBatchOutcome> outcomes, int workers, TimeSpan wallTime)
    {
        var notRun = outcomes.Sum(o => o.NotRun.Length);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"BatchBuild {project}: {outcomes.Sum(o => o.Passed)} passed, {outcomes.Sum(o => o.Failed)} failed, {outcomes.Sum(o => o.Skipped)} skipped, {notRun} not run; {outcomes.Count} test batches on {workers} workers in {wallTime.TotalSeconds:0.0} s; batch {batchId}");
    }
}
