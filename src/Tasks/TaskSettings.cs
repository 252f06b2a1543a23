using BatchBuild.Core.Batches;
using BatchBuild.Core.Configuration;
using Microsoft.Build.Framework;
using BatchBuild.Runner;
using Microsoft.Build.Utilities;

namespace BatchBuild.Tasks;

/// <summary>
/// What every BatchBuild task reads the same way: the settings from the runsettings file, the
/// BatchBuild MSBuild properties and the <c>BATCHBUILD_*</c> variables, and the batch ID.
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
        ProjectSettings.Read(runSettingsFile, properties.Select(item => KeyValuePair.Create(item.ItemSpec, (string?)item.GetMetadata("Value"))), log.Report, out userRunSettings, overrides);

    /// <summary>
    /// Resolves the batch ID; a new ID is derived from <paramref name="sessionId"/> (the
    /// <c>VSTestSessionCorrelationId</c> of the <c>dotnet test</c> invocation), so that every
    /// project and task of one invocation gets the same one.
    /// </summary>
    public static BatchId? ResolveBatchId(TaskLoggingHelper log, BatchBuildSettings settings, string? sessionId) =>
        Resolve(log, settings, sessionId).Id;

    /// <summary>
    /// Resolves the batch ID as <see cref="ResolveBatchId"/> does, with the attempt of the CI job
    /// the run is part of.
    /// </summary>
    public static BatchIdResolution Resolve(TaskLoggingHelper log, BatchBuildSettings settings, string? sessionId)
    {
        var sessionGuid = sessionId?.Split('_').LastOrDefault() is { } tail && Guid.TryParse(tail, out var guid) ? guid : Guid.NewGuid();
        var resolution = BatchIdResolver.Resolve(settings.BatchId, Environment.GetEnvironmentVariable, () => sessionGuid);
        foreach (var diagnostic in resolution.Diagnostics)
        {
            log.Report(diagnostic);
        }

        if (resolution.Id is { } id)
        {
            log.LogMessage(MessageImportance.Normal, $"BatchBuild: batch ID {id} from {resolution.Origin}{(resolution.Attempt.IsRerun ? $"; attempt {resolution.Attempt.Number} from {resolution.Attempt.Origin}" : string.Empty)}");
        }

        return resolution;
    }
}
