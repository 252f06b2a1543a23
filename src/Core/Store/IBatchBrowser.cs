using BatchBuild.Core.Batches;
using BatchBuild.Core.Discovery;

namespace BatchBuild.Core.Store;

/// <summary>Reads batches and results for people: the batch server's API and dashboard.</summary>
public interface IBatchBrowser
{
    /// <summary>One page of batches, newest first, that match <paramref name="query"/>.</summary>
    Task<BatchPage> ListBatchesAsync(BatchListQuery query, CancellationToken cancellationToken = default);

    /// <summary>The batch <paramref name="id"/> with <paramref name="sequence"/>, or null when there is none.</summary>
    Task<BatchInfo?> GetBatchAsync(BatchId id, int sequence, CancellationToken cancellationToken = default);

    /// <summary>The results recorded in a batch, in the order they were recorded.</summary>
    Task<IReadOnlyList<TestResultRecord>> GetResultsAsync(BatchId id, int sequence, CancellationToken cancellationToken = default);

    /// <summary>The newest <paramref name="limit"/> recorded runs of one test, oldest first.</summary>
    Task<IReadOnlyList<TestResultRecord>> GetTestRunsAsync(TestKey test, int limit, CancellationToken cancellationToken = default);
}

/// <summary>Which batches to list.</summary>
/// <param name="State">Only batches in this state; all when null.</param>
/// <param name="Name">Only batches whose ID contains this text, ignoring case; all when null.</param>
/// <param name="StartedFrom">Only batches started at or after this time.</param>
/// <param name="StartedBefore">Only batches started before this time.</param>
/// <param name="Page">The 1-based page.</param>
/// <param name="PageSize">Batches per page, 1 to <see cref="MaxPageSize"/>.</param>
public sealed record BatchListQuery(
    BatchState? State = null,
    string? Name = null,
    DateTimeOffset? StartedFrom = null,
    DateTimeOffset? StartedBefore = null,
    int Page = 1,
    int PageSize = BatchListQuery.DefaultPageSize)
{
    /// <summary>The page size when none is asked for.</summary>
    public const int DefaultPageSize = 50;

    /// <summary>The largest page served.</summary>
    public const int MaxPageSize = 500;
}

/// <summary>One page of batches.</summary>
/// <param name="Batches">The batches on this page, newest first.</param>
/// <param name="Total">How many batches match, on all pages.</param>
/// <param name="Page">The 1-based page.</param>
/// <param name="PageSize">Batches per page.</param>
public sealed record BatchPage(IReadOnlyList<BatchInfo> Batches, int Total, int Page, int PageSize);

/// <summary>
/// One run of one test batch on one agent, as a timeline shows it: it ended when its results were
/// recorded and began its tests' summed duration earlier (start-up is not included).
/// </summary>
public sealed record TestBatchSpan(string Agent, string Assembly, int TestBatch, DateTimeOffset StartedAt, DateTimeOffset FinishedAt, int Tests, int Failed)
{
    /// <summary>The spans of the runs behind <paramref name="results"/>, by start.</summary>
    public static IReadOnlyList<TestBatchSpan> From(IEnumerable<TestResultRecord> results) =>
        [.. results
            .GroupBy(result => (result.Agent, result.Test.Assembly, result.TestBatch, result.Attempt))
            .Select(run =>
            {
                var finished = run.Max(result => result.FinishedAt);
                return new TestBatchSpan(
                    run.Key.Agent,
                    run.Key.Assembly,
                    run.Key.TestBatch,
                    finished - TimeSpan.FromMilliseconds(run.Sum(result => result.DurationMillis)),
                    finished,
                    run.Count(),
                    run.Count(result => result.Outcome == Durations.TestRunOutcome.Failed));
            })
            .OrderBy(span => span.StartedAt)
            .ThenBy(span => span.Agent, StringComparer.Ordinal)];
}
