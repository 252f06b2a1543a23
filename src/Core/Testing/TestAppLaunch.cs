using System.Text.Json;

namespace BatchBuild.Core.Testing;

/// <summary>
/// What the build hands BatchBuild's launcher for one Microsoft.Testing.Platform test app,
/// written when <c>dotnet test</c> asks the project how to run it, into the invocation's folder: the
/// project, its BatchBuild MSBuild properties, and the <c>dotnet test</c> invocation it belongs to.
/// </summary>
/// <param name="Project">The project's name, as the log names it.</param>
/// <param name="ProjectDirectory">The project's folder: relative paths in settings start there.</param>
/// <param name="TestApp">The test app's assembly.</param>
/// <param name="SolutionStorePath">
/// The embedded store next to the solution, when the build knows the solution; else the
/// launcher's default is next to where <c>dotnet test</c> runs (see <see cref="DefaultStorePath"/>).
/// </param>
/// <param name="RunSettingsFile">The runsettings file of the project (<c>RunSettingsFilePath</c>), or null.</param>
/// <param name="Properties">The BatchBuild MSBuild properties that are set, by name.</param>
/// <param name="Invocation">
/// The folder the projects of one <c>dotnet test</c> invocation share, or null when it is not known.
/// </param>
/// <param name="Token">This project's name in <paramref name="Invocation"/>.</param>
public sealed record TestAppLaunch(
    string Project,
    string ProjectDirectory,
    string TestApp,
    string? SolutionStorePath,
    string? RunSettingsFile,
    IReadOnlyDictionary<string, string> Properties,
    string? Invocation,
    string Token)
{
    /// <summary>
    /// The embedded store when <c>BatchBuildStore</c> is not set: next to the solution when the
    /// build knew it, else in the folder <c>dotnet test</c> runs in (<paramref name="testCommandDirectory"/>,
    /// the solution's folder when a solution is tested from there), else in the project's folder;
    /// the same for every project of one invocation, as the batch is.
    /// </summary>
    public string DefaultStorePath(string? testCommandDirectory) =>
        SolutionStorePath
        ?? Path.Combine(
            string.IsNullOrWhiteSpace(testCommandDirectory) ? ProjectDirectory : testCommandDirectory,
            ".batchbuild",
            "batchbuild.db");

    /// <summary>The variable <c>dotnet test</c> gives a test app for the folder it runs in.</summary>
    public const string TestCommandDirectoryVariable = "DOTNET_CLI_TEST_COMMAND_WORKING_DIRECTORY";

    /// <summary>The launch as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, TestAppLaunchJson.Default.TestAppLaunch);

    /// <summary>
    /// Reads a launch written by <see cref="ToJson"/>; throws <see cref="JsonException"/> when it is
    /// not one.
    /// </summary>
    public static TestAppLaunch FromJson(string json) =>
        JsonSerializer.Deserialize(json, TestAppLaunchJson.Default.TestAppLaunch)
        ?? throw new JsonException("The launch file is empty.");
}
