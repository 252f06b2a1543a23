using BatchBuild.Core.Batches;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;

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
    Task CompleteNotificationAsync(BatchCompletion completion, bool delivered, CancellationToken cancellationToken = default);

    /// <summary>
    /// The tests of the batch <paramref name="id"/>#<paramref name="sequence"/> that are done: their
    /// latest result passed or was skipped. A re-run's queue leaves them out.
    /// </summary>
    Task<IReadOnlyList<TestKey>> GetFinishedTestsAsync(BatchId id, int sequence, CancellationToken cancellationToken = default);
}

/// <summary>
/// What a test run needs from a store: somewhere to record its results, and the durations to plan
/// from. The embedded store is one; so is the batch server, reached over HTTP.
/// </summary>
public interface IResultStore : IDisposable
{
    /// <summary>
    /// Records results, all of them or none, in the active batch of their batch ID, starting one
    /// when there is none; returns the batches they went to.
    /// </summary>
    Task<IReadOnlyList<BatchInfo>> RecordResultsAsync(IReadOnlyCollection<TestResultRecord> results, CancellationToken cancellationToken = default);

    /// <summary>
    /// Joins a re-run of a CI job to the batch of <paramref name="id"/> before it records a result:
    /// re-opens the run's closed batch, or starts a new batch of the ID when the re-run is one of
    /// every job (see <see cref="Rerun"/>). Null when the store cannot be reached: the re-run's
    /// results then go where they would without it.
    /// </summary>
    Task<RerunResult?> JoinRerunAsync(BatchId id, Rerun rerun, CancellationToken cancellationToken = default);

    /// <summary>
    /// The durations of the tests <paramref name="query"/> names that have representative runs
    /// in its window: what the planner estimates test batches from.
    /// </summary>
    Task<IReadOnlyList<TestDuration>> GetDurationsAsync(DurationQuery query, CancellationToken cancellationToken = default);
}
