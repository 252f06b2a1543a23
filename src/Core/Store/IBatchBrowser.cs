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

    /// <summary>
    /// One page of the results recorded in the batch <paramref name="id"/> with
    /// <paramref name="sequence"/>, failed first, then by assembly and name. A batch that does not
    /// exist has no results.
    /// </summary>
    Task<BatchResultsPage> GetResultsAsync(BatchId id, int sequence, int page, int pageSize, CancellationToken cancellationToken = default);

    /// <summary>
    /// One page of the runs of the test batches of the batch <paramref name="id"/> with
    /// <paramref name="sequence"/> (its timeline), by when they finished. A batch that does not
    /// exist has none.
    /// </summary>
    Task<TestBatchTimeline> GetTimelineAsync(BatchId id, int sequence, int page, int pageSize, CancellationToken cancellationToken = default);

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
    /// <summary>
    /// The span of a run that finished at <paramref name="finishedAt"/> after its tests took
    /// <paramref name="testMillis"/> in all. It starts no earlier than the first representable
    /// time, whatever a stored duration says.
    /// </summary>
    public static TestBatchSpan Ending(string agent, string assembly, int testBatch, DateTimeOffset finishedAt, double testMillis, int tests, int failed)
    {
        // In UTC: an earlier local time of another offset may fall outside the range of times.
        var end = finishedAt.ToUniversalTime();
        var started = double.IsNaN(testMillis) || testMillis <= 0 ? end
            : testMillis >= (end - DateTimeOffset.MinValue).TotalMilliseconds ? DateTimeOffset.MinValue
            : end - TimeSpan.FromMilliseconds(testMillis);
        return new TestBatchSpan(agent, assembly, testBatch, started, finishedAt, tests, failed);
    }
}
