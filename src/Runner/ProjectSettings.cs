using BatchBuild.Core;
using BatchBuild.Core.Configuration;

namespace BatchBuild.Runner;

/// <summary>
/// The settings of a project, as every host reads them: the runsettings file, the BatchBuild
/// MSBuild properties and the <c>BATCHBUILD_*</c> variables, each later source winning.
/// </summary>
internal static class ProjectSettings
{
    /// <summary>
    /// Reads the settings, reporting every problem; null when one is an error.
    /// <paramref name="userRunSettings"/> is the runsettings file's text, when there is one. A
    /// task's own inputs come as <paramref name="overrides"/>, properties that win over every other source.
    /// </summary>
    public static BatchBuildSettings? Read(
        string? runSettingsFile,
        IEnumerable<KeyValuePair<string, string?>> properties,
        Action<Diagnostic> report,
        out string? userRunSettings,
        IEnumerable<KeyValuePair<string, string?>>? overrides = null)
    {
        userRunSettings = null;
        var layers = new List<SettingsLayer>();
        if (!string.IsNullOrWhiteSpace(runSettingsFile))
        {
            if (!File.Exists(runSettingsFile))
            {
                report(new Diagnostic(
                    DiagnosticCodes.MissingRunSettings,
                    DiagnosticSeverity.Error,
                    null,
                    $"the runsettings file '{runSettingsFile}' does not exist; "
                    + "fix the path given to --settings or RunSettingsFilePath",
                    runSettingsFile));
                return null;
            }

            userRunSettings = File.ReadAllText(runSettingsFile);
            layers.Add(SettingsLayer.FromRunSettings(userRunSettings, runSettingsFile));
        }

        layers.Add(SettingsLayer.FromProperties(properties));
        layers.Add(SettingsLayer.FromEnvironment(SettingsLayer.EnvironmentVariableNames
            .Select(name => KeyValuePair.Create(name, Environment.GetEnvironmentVariable(name)))));
        if (overrides is not null)
        {
            layers.Add(SettingsLayer.FromProperties(overrides));
        }

        var result = SettingsReader.Read(layers);
        foreach (var diagnostic in result.Diagnostics)
        {
            report(diagnostic);
        }

        return result.Settings;
    }
}
