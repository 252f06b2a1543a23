using BatchBuild.Core.Testing;
using BatchBuild.Runner;
using Microsoft.Build.Framework;
using MSBuildTask = Microsoft.Build.Utilities.Task;

namespace BatchBuild.Tasks;

/// <summary>
/// Makes <c>dotnet test</c> in Microsoft.Testing.Platform mode start a test app through
/// BatchBuild's launcher: enters the project in the invocation's shared folder, writes the
/// project's BatchBuild properties there, and returns the run command that starts the
/// launcher with the app's own command after it. <c>dotnet test</c> asks every project for its
/// run command (the <c>ComputeRunArguments</c> target) before it starts any.
/// </summary>
public sealed class PrepareTestApp : MSBuildTask
{
    /// <summary>The test app's assembly (<c>$(TargetPath)</c>).</summary>
    [Required]
    public string TestApp { get; set; } = string.Empty;

    /// <summary>The project's name.</summary>
    [Required]
    public string ProjectName { get; set; } = string.Empty;

    /// <summary>The project's folder.</summary>
    [Required]
    public string ProjectDirectory { get; set; } = string.Empty;

    /// <summary>The BatchBuild MSBuild properties, each an item with a <c>Value</c>.</summary>
    public ITaskItem[] Settings { get; set; } = [];

    /// <summary>The embedded store next to the solution, when the build knows the solution.</summary>
    public string? SolutionStorePath { get; set; }

    /// <summary>The project's runsettings file, if any.</summary>
    public string? RunSettingsFile { get; set; }

    /// <summary>The launcher's assembly.</summary>
    [Required]
    public string Launcher { get; set; } = string.Empty;

    /// <summary>The <c>dotnet</c> executable that runs the launcher.</summary>
    [Required]
    public string DotnetHost { get; set; } = string.Empty;

    /// <summary>The app's run command; on output, the launcher's.</summary>
    [Required]
    [Output]
    public string RunCommand { get; set; } = string.Empty;

    /// <summary>The app's run arguments; on output, the launcher's, with the app's command after them.</summary>
    [Output]
    public string RunArguments { get; set; } = string.Empty;

    /// <inheritdoc />
    public override bool Execute()
    {
        // Not built yet (dotnet test --no-build of a clean tree): dotnet test says so itself.
        if (!File.Exists(TestApp))
        {
            Log.LogMessage(
                MessageImportance.Normal,
                $"BatchBuild {ProjectName}: {TestApp} does not exist, so dotnet test runs it as it is");
            return true;
        }

        var token = $"{ProjectName}-{Guid.NewGuid():N}";
        InvocationFolder? invocation = null;
        try
        {
            invocation = InvocationFolder.OfThisProcess();
            invocation.Enter(token);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            invocation = null;
            Log.LogMessage(
                MessageImportance.High,
                $"BatchBuild {ProjectName}: the projects of this dotnet test cannot share a folder ({e.Message}); "
                + "the batch stays open after the run");
        }

        var properties = Settings
            .Select(item => (Name: item.ItemSpec, Value: item.GetMetadata("Value")))
            .Where(setting => !string.IsNullOrWhiteSpace(setting.Value))
            .ToDictionary(setting => setting.Name, setting => setting.Value.Trim(), StringComparer.Ordinal);
        var launch = new TestAppLaunch(
            ProjectName,
            ProjectDirectory,
            TestApp,
            string.IsNullOrWhiteSpace(SolutionStorePath) ? null : SolutionStorePath,
            string.IsNullOrWhiteSpace(RunSettingsFile) ? null : RunSettingsFile,
            properties,
            invocation?.Folder,
            token);
        var file = InvocationFolder.LaunchFile(invocation, token);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, launch.ToJson());

        RunArguments = $"exec {Quote(Launcher)} {Quote(file)} -- {Quote(RunCommand)} {RunArguments}".TrimEnd();
        RunCommand = DotnetHost;
        Log.LogMessage(
            MessageImportance.Normal,
            $"BatchBuild {ProjectName}: dotnet test runs {TestApp} through BatchBuild ({file})");
        return true;
    }

    private static string Quote(string value) => $"\"{value}\"";
}
