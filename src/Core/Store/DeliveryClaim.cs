using BatchBuild.Core.Batches;

namespace BatchBuild.Core.Store;

/// <summary>What one look at the outbox found.</summary>
/// <param name="TakenUp">The closed batches whose notification the outbox took up in this look, each once.</param>
/// <param name="Deliveries">The deliveries claimed to be tried now.</param>
public sealed record DeliveryClaim(
    IReadOnlyList<BatchCompletion> TakenUp,
    IReadOnlyList<NotificationDelivery> Deliveries)
{
    /// <summary>Nothing to take up or try.</summary>
    public static DeliveryClaim None { get; } = new([], []);
}
