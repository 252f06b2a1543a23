namespace BatchBuild.Core.Store;

/// <summary>One page of a batch's results.</summary>
/// <param name="Results">The results on this page: failed first, then by assembly and name.</param>
/// <param name="Total">How many results the batch holds, on all pages.</param>
/// <param name="Page">The 1-based page.</param>
/// <param name="PageSize">Results per page.</param>
public sealed record BatchResultsPage(IReadOnlyList<TestResultRecord> Results, int Total, int Page, int PageSize)
{
    /// <summary>The page size when none is asked for.</summary>
    public const int DefaultPageSize = 100;

    /// <summary>The largest page served: see <see cref="Api.AnswerBounds.ResultsPage"/>.</summary>
    public const int MaxPageSize = 100;
}
