using BatchBuild.Core.Store;

namespace BatchBuild.Core.Api;

/// <summary>
/// What became of a batch's completion notification, one delivery per webhook:
/// <c>GET /api/v1/batches/{id}/{sequence}/notifications</c>.
/// </summary>
public sealed record NotificationsDto(string BatchId, int Sequence, IReadOnlyList<DeliveryStatus> Deliveries);
