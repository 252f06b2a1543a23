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
    Task<BatchResultsPage> GetResultsAsync(
        BatchId id,
        int sequence,
        int page,
        int pageSize,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// One page of the runs of the test batches of the batch <paramref name="id"/> with
    /// <paramref name="sequence"/> (its timeline), by when they finished. A batch that does not
    /// exist has none.
    /// </summary>
    Task<TestBatchTimeline> GetTimelineAsync(
        BatchId id,
        int sequence,
        int page,
        int pageSize,
        CancellationToken cancellationToken = default);

    /// <summary>The newest <paramref name="limit"/> recorded runs of one test, oldest first.</summary>
    Task<IReadOnlyList<TestResultRecord>> GetTestRunsAsync(
        TestKey test,
        int limit,
        CancellationToken cancellationToken = default);
}
