using System.Text.Json;

namespace BatchBuild.Core.Store;

/// <summary>
/// What the collector saw of one run BatchBuild did not plan: the file it attaches to the run.
/// <see cref="Recorded"/> says whether the results reached the store; when not, a reader may
/// record them, so that no result is lost. <see cref="Attempt"/> names this run of the test
/// batch, so that recording the same file twice records its results once.
/// </summary>
public sealed record TestBatchResults(
    string BatchId,
    int TestBatch,
    string Source,
    bool Recorded,
    string? RecordError,
    IReadOnlyList<TestBatchResult> Tests,
    string Attempt)
{
    /// <summary>A new attempt name: one per run of a test batch.</summary>
    public static string NewAttempt() => Guid.NewGuid().ToString("N");

    /// <summary>The results as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, TestBatchResultsJson.Default.TestBatchResults);

    /// <summary>
    /// Reads results written by <see cref="ToJson"/>; throws <see cref="JsonException"/> when they are not.
    /// </summary>
    public static TestBatchResults FromJson(string json) =>
        JsonSerializer.Deserialize(json, TestBatchResultsJson.Default.TestBatchResults)
        ?? throw new JsonException("The test batch results file is empty.");

    /// <summary>
    /// One record per selectable test, as history keeps them: the rows of a test (data rows
    /// share a name) add up to its duration, and its worst outcome is its outcome.
    /// </summary>
    public IReadOnlyList<TestResultRecord> PerTest(
        BatchBuild.Core.Batches.BatchId batchId,
        DateTimeOffset finishedAt,
        string agent) =>
        [.. Tests
            .GroupBy(result => result.FullyQualifiedName, StringComparer.Ordinal)
            .Select(rows => TestResultRecord.Combine(
                batchId,
                TestBatch,
                BatchBuild.Core.Discovery.TestKey.For(Source, rows.Key),
                rows.First().DisplayName,
                [.. rows.Select(row => (row.Outcome, row.DurationMillis, row.ErrorMessage))],
                finishedAt,
                agent,
                Attempt))];
}
