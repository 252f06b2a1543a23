namespace BatchBuild.Core.Configuration;

/// <summary>
/// One setting under its three names — the runsettings element path below <c>&lt;BatchBuild&gt;</c>,
/// the MSBuild property and the environment variable — and how a value of it is applied.
/// </summary>
internal sealed record SettingDefinition(
    string RunSettingsPath,
    string Property,
    string? Variable,
    Func<string, BatchBuildSettings, (BatchBuildSettings? Settings, ValueProblem? Problem)> Apply);
