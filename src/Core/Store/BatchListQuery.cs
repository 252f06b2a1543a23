using BatchBuild.Core.Batches;

namespace BatchBuild.Core.Store;

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
