namespace BatchBuild.Runner;

/// <summary>What a host knows of the project it runs, translated from its own parameters.</summary>
/// <param name="Project">The project's name, as the log names it.</param>
/// <param name="ProjectDirectory">The project's folder: relative paths in settings start there.</param>
/// <param name="TestAssembly">The test assembly (or test app).</param>
/// <param name="RunSettingsFile">The runsettings file, if any.</param>
/// <param name="Properties">The BatchBuild MSBuild properties, by name.</param>
/// <param name="DefaultStorePath">The embedded store when no setting names one.</param>
internal sealed record ProjectRunOptions(
    string Project,
    string ProjectDirectory,
    string TestAssembly,
    string? RunSettingsFile,
    IReadOnlyList<KeyValuePair<string, string?>> Properties,
    string DefaultStorePath);
