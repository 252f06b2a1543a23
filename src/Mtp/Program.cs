using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using BatchBuild.Client;
using BatchBuild.Core;
using BatchBuild.Core.Agents;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Configuration;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Testing;
using BatchBuild.Lifecycle;
using BatchBuild.Mtp;
using BatchBuild.Runner;
using BatchBuild.Store;

// dotnet exec BatchBuild.Mtp.dll <launch file> -- <test app command> <its arguments…>
// dotnet test starts this in place of a Microsoft.Testing.Platform test app (see PrepareTestApp):
// it lists the app's tests, plans test batches and runs each as a run of the app of its own.
if (args.Length < 3 || args[1] != "--")
{
    Console.Error.WriteLine(Diagnostic.Error(DiagnosticCodes.InvalidLaunch, "BatchBuild.Mtp takes <launch file> -- <test app command> [arguments]; dotnet test starts it through the BatchBuild package's targets"));
    return 5;
}

NativeLibraryResolver.Install(typeof(Launcher).Assembly);
var launcher = new Launcher(args[0], args[2], args[3..]);
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
return await launcher.RunAsync(cancel.Token);

/// <summary>One launch: the test app's command and arguments, and what the build said of its project.</summary>
internal sealed class Launcher(string launchFile, string command, IReadOnlyList<string> arguments)
{
    // The reporter the build puts into the app, which writes each start and result for BatchBuild.
    private const string ReporterAssembly = "BatchBuild.Testing.dll";

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
            Console.Error.WriteLine(Diagnostic.Warning(DiagnosticCodes.InvalidLaunch, $"the launch file '{launchFile}' cannot be read ({e.Message}); the tests run without BatchBuild. Build the project again."));
            return await PassThroughAsync(cancellationToken);
        }

        var results = Path.GetFullPath(TestAppArguments.ResultsDirectory(arguments) ?? "TestResults");
        var log = new LauncherLog(launch.Project, Path.Combine(results, $"{launch.Project}.batchbuild.log"));
        if (!File.Exists(Path.Combine(Path.GetDirectoryName(launch.TestApp)!, ReporterAssembly)))
        {
            log.Report(Diagnostic.Warning(
                DiagnosticCodes.InvalidLaunch,
                $"{ReporterAssembly} is not beside {launch.TestApp}, so BatchBuild cannot learn the app's results; the tests run without BatchBuild. Build the project with the BatchBuild package, and keep GenerateTestingPlatformEntryPoint on; an app on Microsoft.Testing.Platform older than 2.3 does not get it (warning BB3013 at build)."));
            return await PassThroughAsync(cancellationToken);
        }

        try
        {
            return await RunBatchedAsync(launch, log, cancellationToken);
        }
        finally
        {
            log.Dispose();
        }
    }

    private async Task<int> RunBatchedAsync(TestAppLaunch launch, LauncherLog log, CancellationToken cancellationToken)
    {
        var properties = launch.Properties.Select(pair => KeyValuePair.Create(pair.Key, (string?)pair.Value));
        if (ProjectSettings.Read(launch.RunSettingsFile, properties, log.Report, out _) is not { } settings)
        {
            return 5;
        }

        var invocation = launch.Invocation is { } folder ? Invocation.Open(folder) : null;
        var resolution = BatchIdResolver.Resolve(settings.BatchId, Environment.GetEnvironmentVariable, () => invocation?.Id ?? Guid.NewGuid());
        foreach (var diagnostic in resolution.Diagnostics)
        {
            log.Report(diagnostic);
        }

        var (slot, problems) = AgentSlot.Resolve(settings.Agents.Index, settings.Agents.Count, Environment.GetEnvironmentVariable);
        foreach (var problem in problems)
        {
            log.Report(problem);
        }

        if (resolution.Id is not { } batchId || slot is null)
        {
            return 5;
        }

        // Every run of the app must carry one execution ID, or dotnet test fails: its runs inherit this one.
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(TestAppEnvironment.ExecutionIdVariable)))
        {
            Environment.SetEnvironmentVariable(TestAppEnvironment.ExecutionIdVariable, Guid.NewGuid().ToString("N"));
        }

        var work = Directory.CreateTempSubdirectory("batchbuild-mtp-").FullName;
        try
        {
            var workers = new WorkerSlots(Path.Combine(Path.GetTempPath(), "batchbuild-workers", Path.GetFileName(invocation?.Folder ?? work)), settings.EffectiveWorkers(Environment.ProcessorCount));
            log.Say($"BatchBuild {launch.Project}: listing the tests of {launch.TestApp}", important: false);
            var listed = await DiscoverAsync(launch, workers, log, cancellationToken);
            log.Say($"BatchBuild {launch.Project}: the app listed {listed?.Count ?? 0} tests", important: false);
            if (listed is null || listed.Count == 0)
            {
                log.Say(listed is null ? $"BatchBuild {launch.Project}: the tests run without BatchBuild" : $"BatchBuild {launch.Project}: no tests to batch");
                return await PassThroughAsync(cancellationToken);
            }

            var storePath = Path.GetFullPath(settings.StorePath ?? launch.DefaultStorePath(Environment.GetEnvironmentVariable(TestAppLaunch.TestCommandDirectoryVariable)), launch.ProjectDirectory);
            using var http = settings.Lifecycle.ServerUrl is null ? null : Http.CreateClient(settings.Lifecycle.Proxy);
            using var store = ResultStores.Open(settings.Lifecycle, storePath, http, log.Report);
            var tests = SelectableTest.From(listed);
            var plan = await TestBatchRunner.PlanAsync(tests, store, settings, batchId, cancellationToken);
            var agent = slot.NameOn(Environment.MachineName);
            var runner = new TestBatchRunner(launch.Project, launch.TestApp, settings, batchId, slot, agent, workers, store, http, log, resolution.Attempt);
            log.Say(runner.Announce(tests.Length, plan));
            var host = new TestAppHost(command, arguments, work, settings.Timeouts);
            var result = await runner.RunAsync(plan, host, null, cancellationToken);
            log.Say($"BatchBuild {launch.Project}: the test batches ended", important: false);
            await CloseAsync(launch, runner, invocation, settings, batchId, storePath, log, cancellationToken);
            return result.Counts.Failed > 0 || result.Counts.NotRun > 0 ? 2 : 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    // The app's tests, listed by the app itself in a worker slot; null when it could not list them.
    private async Task<IReadOnlyList<DiscoveredTest>?> DiscoverAsync(TestAppLaunch launch, WorkerSlots workers, LauncherLog log, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in TestAppArguments.ForDiscovery(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        // The list can be tens of megabytes: it is read as the bytes the app writes.
        using var output = new MemoryStream();
        string errors;
        int exitCode;
        using (await workers.AcquireAsync(WorkerSlots.First, cancellationToken))
        {
            using var process = Process.Start(start)!;
            var reading = process.StandardOutput.BaseStream.CopyToAsync(output, cancellationToken);
            var readingErrors = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            await reading;
            (errors, exitCode) = (await readingErrors, process.ExitCode);
        }

        var (tests, problem) = ListedTests.Read(launch.TestApp, output.GetBuffer().AsMemory(0, (int)output.Length));
        if (tests is null || exitCode != 0)
        {
            var said = Encoding.UTF8.GetString(output.GetBuffer(), 0, (int)Math.Min(output.Length, TestAppHost.LogLimit));
            log.Report(new Diagnostic(
                DiagnosticCodes.DiscoveryFailed,
                DiagnosticSeverity.Warning,
                null,
                $"listing the tests of {launch.Project} failed ({problem ?? $"exit code {exitCode}"}); the app needs Microsoft.Testing.Platform 2.3 or later. It said:{Environment.NewLine}{(said + errors).Trim()}",
                launch.TestApp));
            return null;
        }

        return tests;
    }

    // Closes the batch once, after the last app of the dotnet test invocation, as the SDK's
    // post-processing step does in VSTest mode.
    private static async Task CloseAsync(
        TestAppLaunch launch, TestBatchRunner runner, Invocation? invocation, BatchBuildSettings settings, BatchId batchId, string storePath, LauncherLog log, CancellationToken cancellationToken)
    {
        if (runner.LeavesBatchOpen())
        {
            return;
        }

        if (invocation is null)
        {
            log.Report(Diagnostic.Warning(DiagnosticCodes.CloseFailed, $"{launch.Project}: the projects of this dotnet test could not be counted, so batch {batchId} stays open; close it with the BatchBuildCloseBatch target, or it closes when idle"));
            return;
        }

        if (!invocation.Finish(launch.Token))
        {
            return;
        }

        var lifecycle = settings.Lifecycle with
        {
            SummaryPath = settings.Lifecycle.SummaryPath is { } path ? Path.GetFullPath(path, launch.ProjectDirectory) : null,
        };
        using var http = Http.CreateClient(lifecycle.Proxy);
        try
        {
            await new BatchCloser(lifecycle, storePath, http, log.Report, Environment.GetEnvironmentVariable).CloseAsync([batchId], cancellationToken);
        }
        catch (StoreException e)
        {
            log.Report(e.Diagnostic with { Severity = DiagnosticSeverity.Warning });
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

/// <summary>
/// The launcher's log: on its output, which dotnet test shows when the app fails (and with
/// <c>--output detailed</c>), and, every line, in <c>&lt;project&gt;.batchbuild.log</c> in the results
/// folder, which stays after any run.
/// </summary>
internal sealed class LauncherLog : IRunLog, IDisposable
{
    private readonly object _gate = new();
    private readonly string _project;
    private readonly StreamWriter? _file;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public LauncherLog(string project, string path)
    {
        _project = project;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            _file = new StreamWriter(path, append: false) { AutoFlush = true };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Out.WriteLine($"BatchBuild {project}: the log file '{path}' cannot be written ({e.Message})");
        }
    }

    public void Say(string text, bool important = true)
    {
        lock (_gate)
        {
            _file?.WriteLine(Stamped(text));
            if (important)
            {
                Console.Out.WriteLine(text);
            }
        }
    }

    public void Report(Diagnostic diagnostic)
    {
        lock (_gate)
        {
            var line = $"{_project}: {diagnostic}";
            _file?.WriteLine(Stamped(line));
            Console.Out.WriteLine(line);
        }
    }

    // A line of the file, after the seconds since the launcher started.
    private string Stamped(string text) => string.Create(CultureInfo.InvariantCulture, $"[{_clock.Elapsed.TotalSeconds,7:0.00} s] {text}");

    public void Dispose()
    {
        lock (_gate)
        {
            _file?.Dispose();
            Console.Out.Flush();
        }
    }
}
