namespace BatchBuild.Core.Store;

/// <summary>One page of a batch's results.</summary>
/// <param name="Results">The results on this page: failed first, then by assembly and name.</param>
/// <param name="Total">How many results the batch holds, on all pages.</param>
/// <param name="Page">The 1-based page.</param>
/// <param name="PageSize">Results per page.</param>
/// <param name="TestBatches">
/// The runs of the batch's test batches, by start, on the first page; empty on later pages, so
/// that paging through the results does not compute the timeline again.
/// </param>
public sealed record BatchResultsPage(IReadOnlyList<TestResultRecord> Results, int Total, int Page, int PageSize, IReadOnlyList<TestBatchSpan> TestBatches)
{
    /// <summary>The page size when none is asked for.</summary>
    public const int DefaultPageSize = 200;

    /// <summary>The largest page served.</summary>
    public const int MaxPageSize = 1000;
}
