using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using BatchBuild.Client;
using BatchBuild.Core;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Configuration;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Planning;
using BatchBuild.Core.Running;
using BatchBuild.Core.Store;
using BatchBuild.Store;
using Microsoft.Build.Framework;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Utilities;
using MSBuildTask = Microsoft.Build.Utilities.Task;

namespace BatchBuild.Tasks;

/// <summary>
/// Runs one test project's tests as test batches: lists them with vstest.console, plans them with
/// the configured strategy and recorded durations, and runs each test batch in its own
/// vstest.console process, recorded by the BatchBuild logger, on as many workers as configured for
/// the whole <c>dotnet test</c> invocation.
/// </summary>
public sealed class RunTestBatches : MSBuildTask, ICancelableTask
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly object _logGate = new();

    /// <summary>The test assembly (<c>$(TargetPath)</c>).</summary>
    [Required]
    public string TestAssembly { get; set; } = string.Empty;

    /// <summary>The project's name, for the build log.</summary>
    [Required]
    public string ProjectName { get; set; } = string.Empty;

    /// <summary>The project folder: relative store paths are resolved from it.</summary>
    [Required]
    public string ProjectDirectory { get; set; } = string.Empty;

    /// <summary>Where generated runsettings and result files go (under the intermediate output folder).</summary>
    [Required]
    public string WorkDirectory { get; set; } = string.Empty;

    /// <summary>The folder that holds <c>BatchBuild.TestLogger.dll</c>.</summary>
    [Required]
    public string ExtensionDirectory { get; set; } = string.Empty;

    /// <summary>Path of <c>vstest.console.dll</c> (<c>$(VSTestConsolePath)</c>).</summary>
    [Required]
    public string VSTestConsolePath { get; set; } = string.Empty;

    /// <summary>The <c>dotnet</c> executable that runs vstest.console; <c>DOTNET_HOST_PATH</c> when empty.</summary>
    public string? DotnetHostPath { get; set; }

    /// <summary>The BatchBuild MSBuild properties, each an item named after the property with its value in <c>Value</c>.</summary>
    public ITaskItem[] Settings { get; set; } = [];

    /// <summary>The store to use when no setting names one.</summary>
    [Required]
    public string DefaultStorePath { get; set; } = string.Empty;

    /// <summary>The user's runsettings file (<c>--settings</c>), if any.</summary>
    public string? RunSettingsFile { get; set; }

    /// <summary>The user's test case filter (<c>--filter</c>): it narrows the tests planned.</summary>
    public string? TestCaseFilter { get; set; }

    /// <summary>The user's loggers (<c>--logger</c>), passed to every run.</summary>
    public string[] Loggers { get; set; } = [];

    /// <summary>The user's data collectors (<c>--collect</c>), passed to every run.</summary>
    public string[] Collect { get; set; } = [];

    /// <summary>The results folder (<c>--results-directory</c>).</summary>
    public string? ResultsDirectory { get; set; }

    /// <summary>The target framework moniker of the test assembly.</summary>
    public string? TargetFrameworkMoniker { get; set; }

    /// <summary>Runsettings given on the command line after <c>--</c>, passed to every run.</summary>
    public string[] CommandLineRunSettings { get; set; } = [];

    /// <summary><c>$(VSTestSessionCorrelationId)</c>: shared by all projects of one <c>dotnet test</c>.</summary>
    public string? SessionId { get; set; }

    /// <summary>
    /// <c>$(VSTestArtifactsProcessingMode)</c>: <c>collect</c> under <c>dotnet test</c>, which then
    /// processes the attachments of all projects once, after the last one.
    /// </summary>
    public string? ArtifactsProcessingMode { get; set; }

    /// <summary>The batch ID the tests ran in.</summary>
    [Output]
    public string BatchId { get; set; } = string.Empty;

    /// <inheritdoc />
    public void Cancel() => _cancel.Cancel();

    /// <inheritdoc />
    public override bool Execute()
    {
        // Free the MSBuild node while test batches run, so that every test project of a solution
        // plans at once and competes for the shared worker slots, longest test batch first.
        var engine = BuildEngine as IBuildEngine3;
        engine?.Yield();
        try
        {
            return ExecuteAsync(_cancel.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            Log.Report(new Diagnostic(DiagnosticCodes.Cancelled, DiagnosticSeverity.Warning, null, "the test run was cancelled"));
            return false;
        }
        catch (StoreException e)
        {
            Log.Report(e.Diagnostic);
            return false;
        }
        finally
        {
            engine?.Reacquire();
        }
    }

    private async Task<bool> ExecuteAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        if (TaskSettings.Read(Log, Settings, RunSettingsFile, out var userRunSettings) is not { } settings
            || TaskSettings.ResolveBatchId(Log, settings, SessionId) is not { } batchId)
        {
            return false;
        }

        BatchId = batchId.Value;
        var workers = new WorkerSlots(SlotDirectory(), settings.EffectiveWorkers(Environment.ProcessorCount));
        Directory.CreateDirectory(RunDirectory(batchId));

        var discovered = await DiscoverAsync(workers, cancellationToken).ConfigureAwait(false);
        if (discovered is null)
        {
            return false;
        }

        var storePath = Path.GetFullPath(settings.StorePath ?? DefaultStorePath, ProjectDirectory);
        IReadOnlyList<TestBatch> plan;
        using var http = settings.Lifecycle.ServerUrl is null ? null : Http.CreateClient(settings.Lifecycle.Proxy);
        IResultStore OpenStore() => ResultStores.Open(settings.Lifecycle, storePath, http, Log.Report);
        using (var store = OpenStore())
        {
            var tests = SelectableTest.From(discovered);
            var durations = await store.GetDurationsAsync(
                DurationQuery.For(tests.Select(test => test.Key), settings.Durations, DateTimeOffset.UtcNow),
                cancellationToken).ConfigureAwait(false);
            plan = BatchPlanner.CreateQueue(tests, durations, settings).DequeueAll();
        }

        Log.LogMessage(
            MessageImportance.High,
            $"BatchBuild {ProjectName}: {discovered.Count} tests in {plan.Count} test batches ({settings.BatchingStrategy.TypeName}) on {workers.Count} workers; batch {batchId}");

        var closeRequest = PrepareClose(batchId, settings, storePath);
        var selector = File.Exists(Path.Combine(Path.GetDirectoryName(TestAssembly)!, "NUnit3.TestAdapter.dll"))
            ? TestSelector.NUnitWhere
            : TestSelector.TestCaseFilter;
        var pending = new ConcurrentQueue<TestBatch>(plan);
        var carrier = plan.Count > 0 ? plan[0].Index : 0;
        var outcomes = new ConcurrentBag<TestBatchOutcome>();
        var runners = Enumerable.Range(0, Math.Min(workers.Count, Math.Max(1, plan.Count))).Select(_ => Task.Run(async () =>
        {
            while (pending.TryPeek(out var next))
            {
                using var slot = await workers.AcquireAsync(next.ExpectedMillis, cancellationToken).ConfigureAwait(false);
                if (!pending.TryDequeue(out var batch))
                {
                    return;
                }

                var outcome = await RunAsync(batch, plan.Count, batchId, settings, OpenStore, userRunSettings, selector, batch.Index == carrier ? closeRequest : null, cancellationToken).ConfigureAwait(false);
                outcomes.Add(outcome);
                Report(outcome, plan.Count);
            }
        }, cancellationToken));
        await Task.WhenAll(runners).ConfigureAwait(false);

        Log.LogMessage(MessageImportance.High, RunReport.Summary(ProjectName, batchId, outcomes, workers.Count, clock.Elapsed));
        return !Log.HasLoggedErrors;
    }

    private async Task<IReadOnlyList<DiscoveredTest>?> DiscoverAsync(WorkerSlots workers, CancellationToken cancellationToken)
    {
        var listFile = Path.Combine(WorkDirectory, "tests.txt");
        File.Delete(listFile);
        var arguments = new List<string> { TestAssembly, "--ListFullyQualifiedTests", $"--ListTestsTargetPath:{listFile}" };
        if (!string.IsNullOrWhiteSpace(TestCaseFilter))
        {
            arguments.Add($"--TestCaseFilter:{TestCaseFilter}");
        }

        if (!string.IsNullOrWhiteSpace(RunSettingsFile))
        {
            arguments.Add($"--Settings:{RunSettingsFile}");
        }

        (int ExitCode, string Output) listed;
        using (await workers.AcquireAsync(WorkerSlots.First, cancellationToken).ConfigureAwait(false))
        {
            listed = await VSTestConsole(arguments, cancellationToken).ConfigureAwait(false);
        }

        if (listed.ExitCode != 0 || !File.Exists(listFile))
        {
            Log.Report(new Diagnostic(
                DiagnosticCodes.DiscoveryFailed,
                DiagnosticSeverity.Error,
                null,
                $"listing the tests of {ProjectName} failed (vstest.console exit code {listed.ExitCode}); its output follows:{Environment.NewLine}{listed.Output}",
                TestAssembly));
            return null;
        }

        return TestListing.Parse(TestAssembly, await File.ReadAllLinesAsync(listFile, cancellationToken).ConfigureAwait(false));
    }

    private async Task<TestBatchOutcome> RunAsync(
        TestBatch batch,
        int testBatchCount,
        BatchId batchId,
        BatchBuildSettings settings,
        Func<IResultStore> openStore,
        string? userRunSettings,
        TestSelector selector,
        string? closeRequest,
        CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var directory = RunDirectory(batchId);
        var resultFile = Path.Combine(directory, $"test-batch-{batch.Index}.json");
        var runSettingsFile = Path.Combine(directory, $"test-batch-{batch.Index}.runsettings");
        File.Delete(resultFile);
        var recorder = new RecorderSettings(batchId, batch.Index, testBatchCount, StorePath: null, resultFile, settings.ExportApplitoolsBatchId);
        await File.WriteAllTextAsync(
            runSettingsFile,
            TestBatchRunSettings.Create(userRunSettings, batch, selector, FilterHelper.Escape, recorder, ExtensionDirectory, closeRequest),
            cancellationToken).ConfigureAwait(false);

        var arguments = new List<string> { TestAssembly, $"--Settings:{runSettingsFile}", "--logger:console;verbosity=minimal" };
        arguments.AddRange(Loggers.Where(l => !string.IsNullOrWhiteSpace(l)).Select(logger => $"--logger:{logger}"));
        // A planned run records through the logger; the collector would record every test twice.
        arguments.AddRange(Collect
            .Where(name => !string.IsNullOrWhiteSpace(name) && !name.Trim().Equals("BatchBuild", StringComparison.OrdinalIgnoreCase))
            .Select(name => $"--collect:{name}"));
        if (!string.IsNullOrWhiteSpace(ResultsDirectory))
        {
            arguments.Add($"--ResultsDirectory:{ResultsDirectory}");
        }

        if (!string.IsNullOrWhiteSpace(TargetFrameworkMoniker))
        {
            arguments.Add($"--Framework:{TargetFrameworkMoniker}");
        }

        if (CollectsArtifacts)
        {
            arguments.Add("--artifactsProcessingMode-collect");
            arguments.Add($"--testSessionCorrelationId:{SessionId}");
        }

        if (CommandLineRunSettings.Length > 0)
        {
            arguments.Add("--");
            arguments.AddRange(CommandLineRunSettings);
        }

        var (exitCode, output) = await VSTestConsole(arguments, cancellationToken).ConfigureAwait(false);
        var results = await ReadResultsAsync(resultFile, openStore, batchId, batch, cancellationToken).ConfigureAwait(false);
        var outcome = TestBatchOutcome.Judge(batch, results?.Tests, exitCode, clock.Elapsed);
        Log.LogMessage(MessageImportance.Normal, $"BatchBuild {ProjectName}: test batch {batch.Index} took {clock.Elapsed.TotalMilliseconds:0} ms (vstest.console exit code {exitCode})");
        if (outcome.Status != TestBatchStatus.Passed)
        {
            Log.LogMessage(MessageImportance.High, $"[{batch.Index}/{testBatchCount}] {ProjectName} vstest.console output:{Environment.NewLine}{output.TrimEnd()}");
        }

        return outcome;
    }

    private async Task<TestBatchResults?> ReadResultsAsync(
        string resultFile, Func<IResultStore> openStore, BatchId batchId, TestBatch batch, CancellationToken cancellationToken)
    {
        if (!File.Exists(resultFile))
        {
            return null;
        }

        TestBatchResults results;
        try
        {
            results = TestBatchResults.FromJson(await File.ReadAllTextAsync(resultFile, cancellationToken).ConfigureAwait(false));
        }
        catch (JsonException e)
        {
            Log.Report(new Diagnostic(DiagnosticCodes.UnreadableResults, DiagnosticSeverity.Warning, null, $"the results of test batch {batch.Index} cannot be read ({e.Message}); its tests count as not run", resultFile));
            return null;
        }

        if (!results.Recorded && results.Tests.Count > 0)
        {
            // The logger leaves recording to the task: SQLite and HTTP stay out of the vstest.console process.
            using var store = openStore();
            await store.RecordResultsAsync(results.PerTest(batchId, DateTimeOffset.UtcNow, Environment.MachineName), cancellationToken).ConfigureAwait(false);
        }

        return results;
    }

    private Task<(int ExitCode, string Output)> VSTestConsole(IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var dotnet = string.IsNullOrWhiteSpace(DotnetHostPath) ? Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet" : DotnetHostPath;
        return ProcessRunner.RunAsync(dotnet, ["exec", VSTestConsolePath, .. arguments], ProjectDirectory, cancellationToken);
    }

    private void Report(TestBatchOutcome outcome, int testBatchCount)
    {
        lock (_logGate)
        {
            Log.LogMessage(MessageImportance.High, RunReport.Progress(ProjectName, outcome, testBatchCount));
            foreach (var test in outcome.FailedTests)
            {
                Log.Report(new Diagnostic(DiagnosticCodes.TestFailed, DiagnosticSeverity.Error, null, $"{test} failed in test batch {outcome.Batch.Index}", TestAssembly));
            }

            foreach (var test in outcome.NotRun)
            {
                Log.Report(new Diagnostic(DiagnosticCodes.TestNotRun, DiagnosticSeverity.Error, null, $"{test} reported no result in test batch {outcome.Batch.Index}: the test host crashed or the run was aborted; see the vstest.console output above", TestAssembly));
            }

            if (outcome.Status == TestBatchStatus.Crashed && outcome.NotRun.Length == 0)
            {
                Log.Report(new Diagnostic(DiagnosticCodes.TestNotRun, DiagnosticSeverity.Error, null, $"test batch {outcome.Batch.Index} failed without a failed test; see the vstest.console output above", TestAssembly));
            }

            foreach (var test in outcome.Unplanned)
            {
                Log.Report(new Diagnostic(DiagnosticCodes.UnplannedTest, DiagnosticSeverity.Warning, null, $"{test} ran in test batch {outcome.Batch.Index} but was not planned there", TestAssembly));
            }
        }
    }

    private bool CollectsArtifacts =>
        !string.IsNullOrWhiteSpace(SessionId) && string.Equals(ArtifactsProcessingMode, "collect", StringComparison.OrdinalIgnoreCase);

    // Under dotnet test, the batch closes once, after the last project: each project writes its
    // close request, and one of its test batches attaches it for the SDK's post-processing step.
    private string? PrepareClose(BatchId batchId, BatchBuildSettings settings, string storePath)
    {
        if (settings.Lifecycle.DontCloseBatch)
        {
            Log.LogMessage(MessageImportance.High, $"BatchBuild {ProjectName}: batch {batchId} stays open (BatchBuildDontCloseBatch); close it with the BatchBuildCloseBatch target");
            return null;
        }

        if (!CollectsArtifacts)
        {
            Log.LogMessage(MessageImportance.High, $"BatchBuild {ProjectName}: not run by dotnet test, so batch {batchId} stays open; close it with the BatchBuildCloseBatch target, or it closes when idle");
            return null;
        }

        var summary = settings.Lifecycle.SummaryPath is { } path ? Path.GetFullPath(path, ProjectDirectory) : null;
        var request = CloseRequest.From(batchId, ProjectName, storePath, settings.Lifecycle with { SummaryPath = summary }, DateTimeOffset.UtcNow);
        var file = Path.Combine(RunDirectory(batchId), "close-request.json");
        WriteForOwner(file, request.ToJson());
        return file;
    }

    // The close request holds no key, but its close token and webhook URLs are the user's: on
    // Unix only the owner may read it.
    private static void WriteForOwner(string path, string text)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        File.Delete(path);
        using var writer = new StreamWriter(path, options);
        writer.Write(text);
    }

    private string RunDirectory(BatchId batchId) => Path.Combine(WorkDirectory, batchId.FileName);

    private string SlotDirectory()
    {
        var session = string.IsNullOrWhiteSpace(SessionId) ? $"{Environment.ProcessId}-{Guid.NewGuid():N}" : SessionId;
        return Path.Combine(Path.GetTempPath(), "batchbuild-workers", string.Concat(session.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_')));
    }
}
