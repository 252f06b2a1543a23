using BatchBuild.Core.Store;

namespace BatchBuild.Core.Api;

/// <summary>
/// One page of a batch's timeline: the runs of its test batches per agent, by when they finished:
/// <c>GET /api/v1/batches/{id}/{sequence}/timeline?page=&amp;pageSize=</c>.
/// </summary>
/// <param name="BatchId">The batch.</param>
/// <param name="Sequence">Which batch with that ID.</param>
/// <param name="TestBatches">The runs on this page.</param>
/// <param name="Total">How many runs the batch holds, on all pages.</param>
/// <param name="Page">The 1-based page.</param>
/// <param name="PageSize">Runs per page.</param>
public sealed record TimelineDto(
    string BatchId,
    int Sequence,
    IReadOnlyList<TestBatchSpan> TestBatches,
    int Total,
    int Page,
    int PageSize);
