using BatchBuild.Core.Batches;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Planning;
using BatchBuild.Core.Store;

namespace BatchBuild.Core.Running;

/// <summary>One result a test batch's run reported for one test case.</summary>
/// <param name="TestId">The test platform's ID of the case.</param>
/// <param name="DisplayName">The name the result was reported under.</param>
/// <param name="Outcome">How the case ended.</param>
/// <param name="DurationMillis">How long it took.</param>
/// <param name="ErrorMessage">Its error message, when it failed with one.</param>
public sealed record TestCaseResult(
    string TestId,
    string DisplayName,
    TestRunOutcome Outcome,
    double DurationMillis,
    string? ErrorMessage = null)
{
    /// <summary>Each reporting test's worst outcome (see <see cref="TestBatchResult.Worst"/>), by test ID.</summary>
    public static IReadOnlyDictionary<string, TestRunOutcome> WorstById(IEnumerable<TestCaseResult> results) =>
        results
            .GroupBy(result => result.TestId, StringComparer.Ordinal)
            .ToDictionary(
                group => group.Key,
                group => TestBatchResult.Worst(group.Select(result => result.Outcome)),
                StringComparer.Ordinal);

    /// <summary>
    /// The records of one run of <paramref name="batch"/>, one per planned test that reported:
    /// the results of a test (cases that share an ID) add up to its duration, and its worst
    /// outcome is its outcome. Results of tests the test batch did not plan are left out.
    /// </summary>
    public static IReadOnlyList<TestResultRecord> Records(
        TestBatch batch,
        IEnumerable<TestCaseResult> results,
        BatchId batchId,
        DateTimeOffset finishedAt,
        string agent,
        string attempt)
    {
        var planned = batch.Tests.ToDictionary(test => test.Id, StringComparer.Ordinal);
        return [.. results
            .Where(result => planned.ContainsKey(result.TestId))
            .GroupBy(result => result.TestId, StringComparer.Ordinal)
            .Select(rows => TestResultRecord.Combine(
                batchId,
                batch.Index,
                planned[rows.Key].Key,
                planned[rows.Key].DisplayName,
                [.. rows.Select(row => (row.Outcome, row.DurationMillis, row.ErrorMessage))],
                finishedAt,
                agent,
                attempt))];
    }
}
