using BatchBuild.Core.Batches;

namespace BatchBuild.Core.Store;

/// <summary>One page of batches.</summary>
/// <param name="Batches">The batches on this page, newest first.</param>
/// <param name="Total">How many batches match, on all pages.</param>
/// <param name="Page">The 1-based page.</param>
/// <param name="PageSize">Batches per page.</param>
public sealed record BatchPage(IReadOnlyList<BatchInfo> Batches, int Total, int Page, int PageSize);
