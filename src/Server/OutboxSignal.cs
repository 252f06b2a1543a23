namespace BatchBuild.Server;

/// <summary>
/// Wakes the notification outbox when a batch may have closed or a delivery has ended. A waiter
/// takes <see cref="Next"/> before it looks, so a wake that comes while it looks is not lost.
/// </summary>
public sealed class OutboxSignal
{
    private TaskCompletionSource _woken = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next <see cref="Wake"/>.</summary>
    public Task Next => Volatile.Read(ref _woken).Task;

    /// <summary>Asks the outbox to look now.</summary>
    public void Wake() =>
        Interlocked.Exchange(
            ref _woken,
            new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
