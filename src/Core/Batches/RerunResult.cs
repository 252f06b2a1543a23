namespace BatchBuild.Core.Batches;

/// <summary>What a re-run's join came to.</summary>
/// <param name="Status">What happened to the batches of the ID.</param>
/// <param name="Batch">The open batch the re-run's results go to.</param>
/// <param name="TooOld">Whether the run's batch was older than the maximum batch age, so that a new batch started
/// instead of it (BB1015).</param>
public sealed record RerunResult(RerunStatus Status, BatchInfo Batch, bool TooOld = false);
