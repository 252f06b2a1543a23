using BatchBuild.Core.Agents;

namespace BatchBuild.Core.Api;

/// <summary>
/// One page of a batch's leases, per assembly in the order granted:
/// <c>GET /api/v1/batches/{id}/leases?page=&amp;pageSize=</c>.
/// </summary>
/// <param name="BatchId">The batch.</param>
/// <param name="Leases">The leases on this page.</param>
/// <param name="Total">How many leases the batch's queues hold, on all pages.</param>
/// <param name="Page">The 1-based page.</param>
/// <param name="PageSize">Leases per page.</param>
public sealed record LeasesDto(string BatchId, IReadOnlyList<Lease> Leases, int Total, int Page, int PageSize)
{
    /// <summary>The page size when none is asked for.</summary>
    public const int DefaultPageSize = 200;

    /// <summary>The largest page served: see <see cref="AnswerBounds.LeasesPage"/>.</summary>
    public const int MaxPageSize = 200;
}
