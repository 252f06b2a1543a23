namespace BatchBuild.Core.Store;

/// <summary>One notification's delivery to one target, as the API and the dashboard show it.</summary>
/// <param name="BatchId">The batch ID.</param>
/// <param name="Sequence">Which batch of the ID.</param>
/// <param name="Target">The target's name: its URL without user information and query.</param>
/// <param name="State">Where it stands.</param>
/// <param name="Attempts">The tries made so far.</param>
/// <param name="NextAttemptAt">When a pending delivery is tried next; null otherwise.</param>
/// <param name="DeliveredAt">When the target took it.</param>
/// <param name="GivenUpAt">When it was given up.</param>
/// <param name="LastError">Why the last try failed.</param>
public sealed record DeliveryStatus(
    string BatchId,
    int Sequence,
    string Target,
    DeliveryState State,
    int Attempts,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? DeliveredAt,
    DateTimeOffset? GivenUpAt,
    string? LastError);
