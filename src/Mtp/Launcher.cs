using System.Diagnostics;
using System.Text.Json;
using BatchBuild.Core;
using BatchBuild.Core.Testing;
using BatchBuild.Runner;

namespace BatchBuild.Mtp;

/// <summary>
/// One launch of a Microsoft.Testing.Platform test app by <c>dotnet test</c>: the shell of
/// <see cref="ProjectRun"/> in that mode. It reads what the build said of the project, runs the
/// project on the app (see <see cref="TestAppPlatform"/>) and answers <c>dotnet test</c> with an
/// exit code; when the app cannot be batched, it runs the app as <c>dotnet test</c> started it.
/// </summary>
/// <param name="launchFile">The launch file the build wrote (see <see cref="TestAppLaunch"/>).</param>
/// <param name="command">The test app's command.</param>
/// <param name="arguments">The arguments <c>dotnet test</c> gave the app.</param>
internal sealed class Launcher(string launchFile, string command, IReadOnlyList<string> arguments)
{
    // The reporter the build puts into the app, which writes each start and result for BatchBuild.
    private const string ReporterAssembly = "BatchBuild.Testing.dll";

    // The exit codes of a test app: its tests failed; it could not run them as asked.
    private const int TestsFailed = 2;
    private const int InvalidRun = 5;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        if (!TestAppArguments.RunsTestsForDotnetTest(arguments))
        {
            return await PassThroughAsync(cancellationToken);
        }

        TestAppLaunch launch;
        try
        {
            launch = TestAppLaunch.FromJson(await File.ReadAllTextAsync(launchFile, cancellationToken));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            Console.Error.WriteLine(Diagnostic.Warning(
                DiagnosticCodes.InvalidLaunch,
                $"the launch file '{launchFile}' cannot be read ({e.Message}); "
                + "the tests run without BatchBuild. Build the project again."));
            return await PassThroughAsync(cancellationToken);
        }

        var results = Path.GetFullPath(TestAppArguments.ResultsDirectory(arguments) ?? "TestResults");
        using var log = new LauncherLog(launch.Project, Path.Combine(results, $"{launch.Project}.batchbuild.log"));
        if (!File.Exists(Path.Combine(Path.GetDirectoryName(launch.TestApp)!, ReporterAssembly)))
        {
            log.Report(Diagnostic.Warning(
                DiagnosticCodes.InvalidLaunch,
                $"{ReporterAssembly} is not beside {launch.TestApp}, so BatchBuild cannot learn the app's results; "
                + "the tests run without BatchBuild. Build the project with the BatchBuild package, "
                + "and keep GenerateTestingPlatformEntryPoint on; "
                + "an app on Microsoft.Testing.Platform older than 2.3 does not get it (warning BB3013 at build)."));
            return await PassThroughAsync(cancellationToken);
        }

        // Every run of the app must carry one execution ID, or dotnet test fails: its runs inherit this one.
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(TestAppEnvironment.ExecutionIdVariable)))
        {
            Environment.SetEnvironmentVariable(TestAppEnvironment.ExecutionIdVariable, Guid.NewGuid().ToString("N"));
        }

        var folder = launch.Invocation is { } path ? InvocationFolder.Open(path) : null;
        var invocation = new TestingPlatformModeInvocation(folder, launch.Token, log);
        var properties = launch.Properties.Select(pair => KeyValuePair.Create(pair.Key, (string?)pair.Value)).ToList();
        var storePath = launch.DefaultStorePath(
            Environment.GetEnvironmentVariable(TestAppLaunch.TestCommandDirectoryVariable));
        var options = new ProjectRunOptions(
            launch.Project,
            launch.ProjectDirectory,
            launch.TestApp,
            launch.RunSettingsFile,
            properties,
            storePath);
        var runFolder = invocation.Folder.CreateRunFolder(launch.Token);
        try
        {
            var result = await new ProjectRun(options, invocation, log).RunAsync(
                setup => new TestAppPlatform(launch, command, arguments, runFolder, setup.Settings.Timeouts, log),
                cancellationToken);
            return result.Status switch
            {
                ProjectRunStatus.NotBatched => await PassThroughAsync(cancellationToken),
                ProjectRunStatus.Failed => InvalidRun,
                _ => result.Counts.Failed > 0 || result.Counts.NotRun > 0 ? TestsFailed : 0,
            };
        }
        finally
        {
            Directory.Delete(runFolder, recursive: true);
        }
    }

    // Runs the app as dotnet test started it, and returns its exit code.
    private async Task<int> PassThroughAsync(CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(command) { UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        await process.WaitForExitAsync(cancellationToken);
        return process.ExitCode;
    }
}
