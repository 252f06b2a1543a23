using BatchBuild.Core.Configuration;

namespace BatchBuild.Runner;

/// <summary>What a test platform is made from, once the project's settings are read.</summary>
/// <param name="Settings">The project's settings.</param>
/// <param name="UserRunSettings">The text of the user's runsettings file, when there is one.</param>
internal sealed record ProjectSetup(BatchBuildSettings Settings, string? UserRunSettings);
