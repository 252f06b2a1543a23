using BatchBuild.Core.Batches;
using BatchBuild.Core.Configuration;
using BatchBuild.Runner;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace BatchBuild.Tasks;

/// <summary>
/// What the tasks read the same way as <see cref="ProjectRun"/>: the settings from the runsettings
/// file, the BatchBuild MSBuild properties and the <c>BATCHBUILD_*</c> variables, and the batch ID.
/// </summary>
internal static class TaskSettings
{
    /// <summary>
    /// Reads the settings, logging every problem; null when one is an error. A task's own inputs
    /// come as <paramref name="overrides"/>, properties that win over every other source.
    /// </summary>
    public static BatchBuildSettings? Read(
        TaskLoggingHelper log,
        ITaskItem[] properties,
        string? runSettingsFile,
        out string? userRunSettings,
        IEnumerable<KeyValuePair<string, string?>>? overrides = null) =>
        ProjectSettings.Read(runSettingsFile, Properties(properties), log.Report, out userRunSettings, overrides);

    /// <summary>
    /// The BatchBuild MSBuild properties a task is given, each an item with its value in <c>Value</c>.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string?>> Properties(ITaskItem[] items) =>
        [.. items.Select(item => KeyValuePair.Create(item.ItemSpec, (string?)item.GetMetadata("Value")))];

    /// <summary>
    /// Resolves the batch ID, logging every problem; a new ID is derived from
    /// <paramref name="sessionId"/> (the <c>VSTestSessionCorrelationId</c> of the <c>dotnet test</c>
    /// invocation), so that every project and task of one invocation gets the same one.
    /// </summary>
    public static BatchId? ResolveBatchId(TaskLoggingHelper log, BatchBuildSettings settings, string? sessionId)
    {
        var resolution = BatchIdResolver.Resolve(
            settings.BatchId, Environment.GetEnvironmentVariable, () => VsTestModeInvocation.IdOf(sessionId));
        foreach (var diagnostic in resolution.Diagnostics)
        {
            log.Report(diagnostic);
        }

        return resolution.Id;
    }
}
