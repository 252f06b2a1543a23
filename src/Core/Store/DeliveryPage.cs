namespace BatchBuild.Core.Store;

/// <summary>One page of notification deliveries, newest first: <c>GET /api/v1/notifications</c>.</summary>
/// <param name="Deliveries">The deliveries on this page.</param>
/// <param name="Total">How many match, on all pages.</param>
/// <param name="Page">The 1-based page.</param>
/// <param name="PageSize">Deliveries per page.</param>
public sealed record DeliveryPage(IReadOnlyList<DeliveryStatus> Deliveries, int Total, int Page, int PageSize)
{
    /// <summary>The page size when none is asked for.</summary>
    public const int DefaultPageSize = 50;

    /// <summary>The largest page served.</summary>
    public const int MaxPageSize = 500;
}
