using BatchBuild.Core.Batches;

namespace BatchBuild.Core.Store;

/// <summary>
/// The batch server's notification outbox, kept in the store: one delivery per closed batch and
/// target, each tried, backed off and given up on its own, so that a target that fails or hangs
/// holds back no other target and no other batch. A delivery the target took is never sent again,
/// also across restarts and by other server instances on the same database.
/// </summary>
public interface INotificationOutbox
{
    /// <summary>
    /// Takes up every closed batch that notifies and was not taken up yet, with one delivery per
    /// target of <paramref name="targets"/> (none: the notification is done at once), then claims
    /// the deliveries that are due: at most <paramref name="free"/>[key] per target key.
    /// </summary>
    Task<DeliveryClaim> ClaimDeliveriesAsync(
        IReadOnlyCollection<NotificationTarget> targets,
        IReadOnlyDictionary<string, int> free,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Records the <paramref name="outcome"/> of a claimed try and ends the claim; a batch whose every delivery is done
    /// is marked notified.
    /// </summary>
    Task CompleteDeliveryAsync(
        NotificationDelivery delivery,
        DeliveryOutcome outcome,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Gives up, with <paramref name="reason"/>, every open delivery to a target that is not in
    /// <paramref name="targets"/>: a webhook no longer configured, which no one would try again.
    /// Returns how many were given up, per target name.
    /// </summary>
    Task<IReadOnlyDictionary<string, int>> GiveUpOtherTargetsAsync(
        IReadOnlyCollection<NotificationTarget> targets,
        string reason,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// The deliveries of the batch <paramref name="id"/> with <paramref name="sequence"/>, by target name.
    /// </summary>
    Task<IReadOnlyList<DeliveryStatus>> GetDeliveriesAsync(
        BatchId id,
        int sequence,
        CancellationToken cancellationToken = default);

    /// <summary>One page of the deliveries in <paramref name="state"/> (all when null), newest first.</summary>
    Task<DeliveryPage> ListDeliveriesAsync(
        DeliveryState? state,
        int page,
        int pageSize,
        CancellationToken cancellationToken = default);
}
