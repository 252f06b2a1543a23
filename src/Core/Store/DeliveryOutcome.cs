namespace BatchBuild.Core.Store;

/// <summary>What became of one try of a <see cref="NotificationDelivery"/>.</summary>
/// <param name="State">Where the delivery stands after the try.</param>
/// <param name="Attempted">Whether the try counts: false for one cut short before it could end (shutdown).</param>
/// <param name="Error">Why the try failed, for people; null when it did not.</param>
/// <param name="RetryAfter">How long a pending delivery waits before its next try.</param>
public sealed record DeliveryOutcome(
    DeliveryState State,
    bool Attempted,
    string? Error = null,
    TimeSpan RetryAfter = default)
{
    /// <summary>The target took it: delivered, for good.</summary>
    public static DeliveryOutcome Delivered { get; } = new(DeliveryState.Delivered, Attempted: true);

    /// <summary>
    /// The try was cut short before it ended; it does not count, and the delivery is due again at once.
    /// </summary>
    public static DeliveryOutcome Released { get; } = new(DeliveryState.Pending, Attempted: false);

    /// <summary>The try failed with <paramref name="error"/>; the next waits <paramref name="retryAfter"/>.</summary>
    public static DeliveryOutcome Failed(string error, TimeSpan retryAfter) =>
        new(DeliveryState.Pending, Attempted: true, error, retryAfter);

    /// <summary>The try failed with <paramref name="error"/>, and no other follows.</summary>
    public static DeliveryOutcome GivenUp(string error) => new(DeliveryState.GivenUp, Attempted: true, error);
}
