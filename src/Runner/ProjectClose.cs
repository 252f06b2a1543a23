using BatchBuild.Core.Batches;
using BatchBuild.Core.Configuration;

namespace BatchBuild.Runner;

/// <summary>What closing a project's batch after the last project of its invocation needs.</summary>
/// <param name="BatchId">The batch.</param>
/// <param name="Project">The project's name, as the log names it.</param>
/// <param name="StorePath">The embedded store's file, when the batch is kept there.</param>
/// <param name="Lifecycle">The lifecycle settings, the summary path made absolute.</param>
/// <param name="Http">The client of the batch server, when there is one.</param>
internal sealed record ProjectClose(
    BatchId BatchId, string Project, string StorePath, BatchLifecycleSettings Lifecycle, HttpClient? Http);
