using BatchBuild.Core.Batches;
using BatchBuild.Core.Durations;

namespace BatchBuild.Core.Store;

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
    Task<IReadOnlyList<BatchInfo>> RecordResultsAsync(
        IReadOnlyCollection<TestResultRecord> results,
        CancellationToken cancellationToken = default);

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
    Task<IReadOnlyList<TestDuration>> GetDurationsAsync(
        DurationQuery query,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Records what test batches and listings cost beside their tests, all of them or none. The
    /// records need no active batch: a batch ID only tells which runs a later query leaves out.
    /// </summary>
    Task RecordStartCostsAsync(
        IReadOnlyCollection<StartCostRecord> costs,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// The newest recorded start costs, at most <see cref="StartCostQuery.RunsPerAssembly"/> per
    /// assembly and kind, of the assemblies <paramref name="query"/> names, newest first.
    /// </summary>
    Task<IReadOnlyList<StartCostRecord>> GetStartCostsAsync(
        StartCostQuery query,
        CancellationToken cancellationToken = default);
}
