using BatchBuild.Core.Batches;
using BatchBuild.Core.Discovery;

namespace BatchBuild.Core.Store;

/// <summary>
/// Where test results, duration history and batches are kept and their lifecycle is run: the
/// embedded SQLite file, or the batch server's database. Every call first closes the active
/// batches that have expired.
/// </summary>
public interface IBatchStore : IResultStore
{
    /// <summary>
    /// Closes the active batch of <paramref name="id"/>, freezing its counts. Only the call that
    /// closes it gets <see cref="CloseStatus.Closed"/>.
    /// </summary>
    Task<CloseResult> CloseBatchAsync(BatchId id, CancellationToken cancellationToken = default);

    /// <summary>Closes every active batch that has been idle or open too long; returns them.</summary>
    Task<IReadOnlyList<BatchInfo>> CloseExpiredAsync(CancellationToken cancellationToken = default);

    /// <summary>The latest batch of <paramref name="id"/>, or null when there is none.</summary>
    Task<BatchInfo?> GetBatchAsync(BatchId id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims the completion notifications of closed batches that notify and were not notified
    /// yet; a claimed notification is not handed to anyone else unless it is released.
    /// </summary>
    Task<IReadOnlyList<BatchCompletion>> ClaimNotificationsAsync(CancellationToken cancellationToken = default);

    /// <summary>Marks a claimed notification delivered, or releases it for a later try.</summary>
    Task CompleteNotificationAsync(
        BatchCompletion completion,
        bool delivered,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// The tests of the batch <paramref name="id"/>#<paramref name="sequence"/> that are done: their
    /// latest result passed or was skipped. A re-run's queue leaves them out.
    /// </summary>
    Task<IReadOnlyList<TestKey>> GetFinishedTestsAsync(
        BatchId id,
        int sequence,
        CancellationToken cancellationToken = default);
}
