using BatchBuild.Core;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Configuration;
using Microsoft.Build.Framework;
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
        IEnumerable<KeyValuePair<string, string?>>? overrides = null)
    {
        userRunSettings = null;
        var layers = new List<SettingsLayer>();
        if (!string.IsNullOrWhiteSpace(runSettingsFile))
        {
            if (!File.Exists(runSettingsFile))
            {
                log.Report(new Diagnostic(DiagnosticCodes.MissingRunSettings, DiagnosticSeverity.Error, null, $"the runsettings file '{runSettingsFile}' does not exist; fix the path given to --settings or RunSettingsFilePath", runSettingsFile));
                return null;
            }

            userRunSettings = File.ReadAllText(runSettingsFile);
            layers.Add(SettingsLayer.FromRunSettings(userRunSettings, runSettingsFile));
        }

        layers.Add(SettingsLayer.FromProperties(properties.Select(item => KeyValuePair.Create(item.ItemSpec, (string?)item.GetMetadata("Value")))));
        layers.Add(SettingsLayer.FromEnvironment(SettingsLayer.EnvironmentVariableNames.Select(name => KeyValuePair.Create(name, Environment.GetEnvironmentVariable(name)))));
        if (overrides is not null)
        {
            layers.Add(SettingsLayer.FromProperties(overrides));
        }

        var result = SettingsReader.Read(layers);
        foreach (var diagnostic in result.Diagnostics)
        {
            log.Report(diagnostic);
        }

        return result.Settings;
    }

    /// <summary>
    /// Resolves the batch ID; a new ID is derived from <paramref name="sessionId"/> (the
    /// <c>VSTestSessionCorrelationId</c> of the <c>dotnet test</c> invocation), so that every
    /// project and task of one invocation gets the same one.
    /// </summary>
    public static BatchId? ResolveBatchId(TaskLoggingHelper log, BatchBuildSettings settings, string? sessionId)
    {
        var sessionGuid = sessionId?.Split('_').LastOrDefault() is { } tail && Guid.TryParse(tail, out var guid) ? guid : Guid.NewGuid();
        var resolution = BatchIdResolver.Resolve(settings.BatchId, Environment.GetEnvironmentVariable, () => sessionGuid);
        foreach (var diagnostic in resolution.Diagnostics)
        {
            log.Report(diagnostic);
        }

        if (resolution.Id is { } id)
        {
            log.LogMessage(MessageImportance.Normal, $"BatchBuild: batch ID {id} from {resolution.Origin}");
        }

        return resolution.Id;
    }
}
