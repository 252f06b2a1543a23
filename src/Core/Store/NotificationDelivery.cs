using BatchBuild.Core.Batches;

namespace BatchBuild.Core.Store;

/// <summary>
/// One claimed try of delivering a batch's completion notification to one target. The claim
/// holds until the try is completed with a <see cref="DeliveryOutcome"/>; no one else tries the
/// same delivery meanwhile.
/// </summary>
/// <param name="Id">The delivery's key in the store.</param>
/// <param name="Completion">The document to deliver.</param>
/// <param name="TargetKey">The <see cref="NotificationTarget.Key"/> it goes to.</param>
/// <param name="Attempt">Which try this is, from 1.</param>
public sealed record NotificationDelivery(long Id, BatchCompletion Completion, string TargetKey, int Attempt);
