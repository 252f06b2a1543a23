using BatchBuild.Core.Running;

namespace BatchBuild.Runner;

/// <summary>What one project's run came to.</summary>
/// <param name="Status">Whether it ran as test batches, could not, or should run without BatchBuild.</param>
/// <param name="Counts">Its tests by verdict, over every attempt.</param>
/// <param name="TestBatches">How many test batches ran, retries included.</param>
/// <remarks>The batch it ran in is <see cref="ProjectRun.BatchId"/>, known also when the run fails.</remarks>
internal sealed record ProjectRunResult(ProjectRunStatus Status, RunCounts Counts, int TestBatches)
{
    /// <summary>A run that stopped before its first test batch.</summary>
    public static ProjectRunResult Stopped(ProjectRunStatus status) => new(status, new RunCounts(0, 0, 0, 0, 0, 0), 0);
}
