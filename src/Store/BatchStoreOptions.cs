using BatchBuild.Core.Batches;
using BatchBuild.Core.Configuration;

namespace BatchBuild.Store;

/// <summary>How a store closes and notifies batches, and its clock.</summary>
/// <param name="Limits">When an active batch closes by itself.</param>
/// <param name="NotifyOnCompletion">Whether batches this store starts notify when they close.</param>
/// <param name="Clock">The time source; tests move it by hand.</param>
public sealed record BatchStoreOptions(BatchLimits Limits, bool NotifyOnCompletion, TimeProvider Clock)
{
    /// <summary>The longest a failed notification waits before it is claimed again.</summary>
    public static readonly TimeSpan MaxNotificationRetryDelay = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a notification whose delivery failed waits before it is claimed again; the wait
    /// doubles with every failure, up to <see cref="MaxNotificationRetryDelay"/>. Zero (the
    /// embedded store's default): the next close or run may retry it at once.
    /// </summary>
    public TimeSpan NotificationRetryDelay { get; init; } = TimeSpan.Zero;

    /// <summary>The wait after the <paramref name="failures"/>th failed delivery (1 for the first).</summary>
    public TimeSpan RetryDelayAfter(int failures) => Backoff(NotificationRetryDelay, failures);

    /// <summary>
    /// The wait after the <paramref name="failures"/>th failure (1 for the first) when the first
    /// waits <paramref name="first"/>: doubling per failure, up to <see cref="MaxNotificationRetryDelay"/>.
    /// </summary>
    public static TimeSpan Backoff(TimeSpan first, int failures) =>
        first <= TimeSpan.Zero
            ? TimeSpan.Zero
            : TimeSpan.FromTicks(Math.Min(
                MaxNotificationRetryDelay.Ticks,
                Math.Min(MaxNotificationRetryDelay.Ticks, first.Ticks) * (1L << Math.Clamp(failures - 1, 0, 20))));

    /// <summary>Default limits, notifying, the system clock.</summary>
    public static BatchStoreOptions Default { get; } = new(BatchLimits.Default, true, TimeProvider.System);

    /// <summary>The options <paramref name="lifecycle"/> configures, on the system clock.</summary>
    public static BatchStoreOptions For(BatchLifecycleSettings lifecycle) =>
        new(lifecycle.Limits, lifecycle.NotifyOnCompletion, TimeProvider.System);
}
