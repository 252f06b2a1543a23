using System.Diagnostics;
using BatchBuild.Client;
using BatchBuild.Core;
using BatchBuild.Core.Agents;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Configuration;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Running;
using BatchBuild.Lifecycle;
using BatchBuild.Runner;
using BatchBuild.Store;
using Microsoft.Build.Framework;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using MSBuildTask = Microsoft.Build.Utilities.Task;

namespace BatchBuild.Tasks;

/// <summary>
/// Runs one test project's tests as test batches: discovers them once through a design-mode
/// vstest.console, plans them with the configured strategy and recorded durations, and runs each
/// test batch's test cases, selected by ID, in a fresh test host, recording the results it
/// reports, on as many workers as configured for the whole <c>dotnet test</c> invocation.
/// </summary>
public sealed class RunTestBatches : MSBuildTask, ICancelableTask
{
    private readonly CancellationTokenSource _cancel = new();
    private string _agent = Environment.MachineName;

    /// <summary>The test assembly (<c>$(TargetPath)</c>).</summary>
    [Required]
    public string TestAssembly { get; set; } = string.Empty;

    /// <summary>The project's name, for the build log.</summary>
    [Required]
    public string ProjectName { get; set; } = string.Empty;

    /// <summary>The project folder: relative store paths are resolved from it.</summary>
    [Required]
    public string ProjectDirectory { get; set; } = string.Empty;

    /// <summary>The folder that holds the BatchBuild collectors (the close hand-off names the session collector's assembly there).</summary>
    [Required]
    public string ExtensionDirectory { get; set; } = string.Empty;

    /// <summary>Path of <c>vstest.console.dll</c> (<c>$(VSTestConsolePath)</c>).</summary>
    [Required]
    public string VSTestConsolePath { get; set; } = string.Empty;

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

    /// <summary>The user's test adapter paths (<c>--test-adapter-path</c>).</summary>
    public string[] TestAdapterPaths { get; set; } = [];

    /// <summary>
    /// <c>$(TraceDataCollectorDirectoryPath)</c>: where Microsoft.CodeCoverage puts the "Code
    /// Coverage" collector; a test adapter path, as the SDK's VSTest task makes it.
    /// </summary>
    public string? TraceDataCollectorDirectory { get; set; }

    /// <summary><c>--diag</c>: the diagnostic log of vstest.console and its test hosts.</summary>
    public string? DiagnosticLog { get; set; }

    /// <summary><c>--blame</c>.</summary>
    public bool Blame { get; set; }

    /// <summary><c>--blame-crash</c>.</summary>
    public bool BlameCrash { get; set; }

    /// <summary><c>--blame-crash-dump-type</c>.</summary>
    public string? BlameCrashDumpType { get; set; }

    /// <summary><c>--blame-crash-collect-always</c>.</summary>
    public bool BlameCrashCollectAlways { get; set; }

    /// <summary><c>--blame-hang</c>.</summary>
    public bool BlameHang { get; set; }

    /// <summary><c>--blame-hang-dump-type</c>.</summary>
    public string? BlameHangDumpType { get; set; }

    /// <summary><c>--blame-hang-timeout</c>.</summary>
    public string? BlameHangTimeout { get; set; }

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
        TestPlatformAssemblies.ResolveFrom(VSTestConsolePath);

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
        catch (TestPlatformException e)
        {
            Log.Report(new Diagnostic(DiagnosticCodes.TestPlatformFailed, DiagnosticSeverity.Error, null, $"{e.Message}; check that `dotnet vstest --help` runs with this SDK", TestAssembly));
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
            || TaskSettings.Resolve(Log, settings, SessionId) is not { Id: { } batchId } resolution
            || ProjectRunSettings(userRunSettings, ResultsFolder, settings.Timeouts) is not { } projectRunSettings)
        {
            return false;
        }

        var (slot, problems) = AgentSlot.Resolve(settings.Agents.Index, settings.Agents.Count, Environment.GetEnvironmentVariable);
        foreach (var problem in problems)
        {
            Log.Report(problem);
        }

        if (slot is null)
        {
            return false;
        }

        _agent = slot.NameOn(Environment.MachineName);

        BatchId = batchId.Value;
        var workers = new WorkerSlots(SlotDirectory(), settings.EffectiveWorkers(Environment.ProcessorCount));
        using var sessions = new VsTestSessions(VSTestConsolePath, NullIfEmpty(DiagnosticLog), ProjectName);

        var discovered = await DiscoverAsync(workers, sessions, projectRunSettings, VsTestRunSettings.DiscoveryFilter(userRunSettings, TestCaseFilter), cancellationToken).ConfigureAwait(false);
        if (discovered is null)
        {
            return false;
        }

        var storePath = Path.GetFullPath(settings.StorePath ?? DefaultStorePath, ProjectDirectory);
        using var http = settings.Lifecycle.ServerUrl is null ? null : Http.CreateClient(settings.Lifecycle.Proxy);
        // One store for the project's run: opening one checks its schema, which no test batch should pay for.
        using var store = ResultStores.Open(settings.Lifecycle, storePath, http, Log.Report);
        var tests = SelectableTest.From(discovered.Tests);
        var plan = await TestBatchRunner.PlanAsync(tests, store, settings, batchId, cancellationToken).ConfigureAwait(false);
        var log = new BuildLog(Log);
        var runner = new TestBatchRunner(ProjectName, TestAssembly, settings, batchId, slot, _agent, workers, store, http, log, resolution.Attempt);
        Log.LogMessage(MessageImportance.High, runner.Announce(tests.Length, plan));

        await PrepareCloseAsync(runner, batchId, settings, storePath, http, cancellationToken).ConfigureAwait(false);
        var loggers = HostedLoggers.Start(
            VsTestRunSettings.Loggers(userRunSettings, Loggers),
            [Path.GetDirectoryName(Path.GetFullPath(TestAssembly))!, .. TestAdapterPaths.Where(path => !string.IsNullOrWhiteSpace(path)), Path.Combine(Path.GetDirectoryName(VSTestConsolePath)!, "Extensions")],
            ResultsFolder,
            NullIfEmpty(TargetFrameworkMoniker),
            Log.Report);
        var limits = new TestBatchLimits(
            settings.Timeouts.TestBatchTimeoutMillis + HangDumpGraceMillis,
            settings.Timeouts.TestOutputTimeoutMillis + HangDumpGraceMillis);
        var host = new VsTestHost(sessions, projectRunSettings, limits, settings.Timeouts, discovered.ById, BlameHangMillis);
        var result = await runner.RunAsync(plan, host, run => loggers.Add((TestBatchRun)run.Detail!), cancellationToken).ConfigureAwait(false);
        loggers.Complete(clock.Elapsed);
        HandOver([.. result.Runs.Select(run => (TestBatchRun)run.Detail!)]);
        return !Log.HasLoggedErrors;
    }

    // Where reports and attachments go: --results-directory, else TestResults in the project, as for a plain run.
    private string ResultsFolder => Path.GetFullPath(NullIfEmpty(ResultsDirectory) ?? "TestResults", ProjectDirectory);

    // Everything passed on the command line goes into the runsettings: a design-mode
    // vstest.console takes no arguments. --blame-hang without a timeout takes its dump when a
    // test has given no result for TestOutputTimeoutMillis.
    private string? ProjectRunSettings(string? userRunSettings, string resultsFolder, TimeoutSettings timeouts)
    {
        var hangTimeout = NullIfEmpty(BlameHangTimeout) ?? $"{timeouts.TestOutputTimeoutMillis}ms";
        var blame = new BlameOptions(BlameCrash, NullIfEmpty(BlameCrashDumpType), BlameCrashCollectAlways, BlameHang, NullIfEmpty(BlameHangDumpType), hangTimeout)
        {
            Enabled = Blame || BlameCrash || BlameHang,
        };
        var options = new VsTestOptions(
            resultsFolder,
            NullIfEmpty(TargetFrameworkMoniker),
            Collect,
            blame,
            CommandLineRunSettings,
            [.. TestAdapterPaths.Append(TraceDataCollectorDirectory).OfType<string>().Where(path => !string.IsNullOrWhiteSpace(path))]);
        try
        {
            BlameHangMillis = BlameHang ? VsTestRunSettings.Millis(hangTimeout) : null;
            return VsTestRunSettings.ForProject(userRunSettings, options);
        }
        catch (FormatException e)
        {
            Log.Report(Diagnostic.Error(DiagnosticCodes.InvalidCommandLineRunSetting, e.Message));
            return null;
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private async Task<DiscoveredSuite?> DiscoverAsync(WorkerSlots workers, VsTestSessions sessions, string runSettings, string? filter, CancellationToken cancellationToken)
    {
        Discovery discovery;
        using (await workers.AcquireAsync(WorkerSlots.First, cancellationToken).ConfigureAwait(false))
        {
            discovery = await sessions.UseAsync(session => session.Discover(TestAssembly, runSettings, filter, cancellationToken)).ConfigureAwait(false);
        }

        if (discovery.Aborted || (discovery.TestCases.Count == 0 && discovery.Log.Length > 0))
        {
            Log.Report(new Diagnostic(
                DiagnosticCodes.DiscoveryFailed,
                DiagnosticSeverity.Error,
                null,
                $"discovering the tests of {ProjectName} failed; vstest said:{Environment.NewLine}{discovery.Log.TrimEnd()}",
                TestAssembly));
            return null;
        }

        if (discovery.Log.Length > 0)
        {
            Log.LogMessage(MessageImportance.High, $"BatchBuild {ProjectName}: discovery: {discovery.Log.TrimEnd()}");
        }

        var testCases = discovery.TestCases;
        if (filter is not null)
        {
            if (CaseFilter.Parse(filter, out var error) is not { } parsed)
            {
                Log.Report(new Diagnostic(DiagnosticCodes.DiscoveryFailed, DiagnosticSeverity.Error, null, $"the test case filter '{filter}' is not valid: {error}", TestAssembly));
                return null;
            }

            testCases = [.. testCases.Where(parsed.Matches)];
        }

        return DiscoveredSuite.From(TestAssembly, testCases);
    }

    // With --blame-hang, vstest's blame collector takes the hang dump at the time limit and kills
    // the test host itself; BatchBuild kills it this much later if it is still there.
    private long HangDumpGraceMillis => BlameHang ? 60_000 : 0;

    // The --blame-hang timeout in milliseconds, or null without --blame-hang.
    private long? BlameHangMillis { get; set; }

    private bool CollectsArtifacts =>
        !string.IsNullOrWhiteSpace(SessionId) && string.Equals(ArtifactsProcessingMode, "collect", StringComparison.OrdinalIgnoreCase);

    // Under dotnet test, the batch closes once, after the last project, in the SDK's artifact
    // post-processing step: each project hands over its close request (see PostProcessingHandoff).
    private async Task PrepareCloseAsync(TestBatchRunner runner, BatchId batchId, BatchBuildSettings settings, string storePath, HttpClient? http, CancellationToken cancellationToken)
    {
        if (runner.LeavesBatchOpen())
        {
            return;
        }

        if (!CollectsArtifacts)
        {
            Log.LogMessage(MessageImportance.High, $"BatchBuild {ProjectName}: not run by dotnet test, so batch {batchId} stays open; close it with the BatchBuildCloseBatch target, or it closes when idle");
            return;
        }

        var summary = settings.Lifecycle.SummaryPath is { } path ? Path.GetFullPath(path, ProjectDirectory) : null;
        var token = await CloseTokenAsync(batchId, settings.Lifecycle, http, cancellationToken).ConfigureAwait(false);
        var request = CloseRequest.From(batchId, ProjectName, storePath, settings.Lifecycle with { SummaryPath = summary }, token);
        var folder = PostProcessingHandoff.CreateFolder(Path.GetTempPath(), SessionId!);
        var file = Path.Combine(folder, PostProcessingHandoff.CloseRequestFileName);
        WriteForOwner(file, request.ToJson());
        WriteForOwner(
            Path.Combine(folder, PostProcessingHandoff.FileName),
            PostProcessingHandoff.ForClose(file, Path.Combine(ExtensionDirectory, PostProcessingHandoff.CollectorAssembly)));
    }

    // The close request goes to disk, so it carries a token the server issues instead of the key.
    // Without one, the closing step needs BATCHBUILD_API_KEY in its environment: say so, unless
    // it is there.
    private async Task<string?> CloseTokenAsync(BatchId batchId, BatchLifecycleSettings lifecycle, HttpClient? http, CancellationToken cancellationToken)
    {
        if (lifecycle.ServerUrl is not { } server || http is null || string.IsNullOrEmpty(lifecycle.ApiKey))
        {
            return null;
        }

        var (token, detail) = await new ServerBatchCloser(http, server, lifecycle.ApiKey, TimeSpan.FromSeconds(5))
            .RequestCloseTokenAsync(batchId, cancellationToken).ConfigureAwait(false);
        if (token is null && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("BATCHBUILD_API_KEY")))
        {
            Log.Report(Diagnostic.Warning(DiagnosticCodes.NoCloseToken,
                $"{ProjectName}: the server {Http.Redacted(server)} issued no close token for batch {batchId} ({detail}); the close after the last project needs the API key, which is never written to disk: set BATCHBUILD_API_KEY in the environment of dotnet test, or the batch stays open until closed with the BatchBuildCloseBatch target or idle"));
        }

        return token;
    }

    // The attachments of the test batches (code coverage, dumps) go to the post-processing step,
    // which merges them across projects and lists them, as after a plain run; outside dotnet test
    // they are listed here.
    private void HandOver(IReadOnlyCollection<TestBatchRun> runs)
    {
        var attachments = runs.SelectMany(run => run.Attachments)
            .Where(set => set.Attachments.Count > 0)
            .GroupBy(set => set.Uri.OriginalString, StringComparer.Ordinal)
            .Select(sets => new HandoffAttachments(
                sets.Key,
                sets.First().DisplayName,
                [.. sets.SelectMany(set => set.Attachments).Select(attachment => attachment.Uri.LocalPath)]))
            .ToList();
        if (attachments.Count == 0)
        {
            return;
        }

        if (!CollectsArtifacts)
        {
            Log.LogMessage(MessageImportance.High, $"BatchBuild {ProjectName}: attachments:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", attachments.SelectMany(set => set.Files))}");
            return;
        }

        var collectors = runs.SelectMany(run => run.Collectors)
            .DistinctBy(collector => collector.Uri, StringComparer.Ordinal)
            .ToList();
        var folder = PostProcessingHandoff.CreateFolder(Path.GetTempPath(), SessionId!);
        WriteForOwner(Path.Combine(folder, PostProcessingHandoff.FileName), PostProcessingHandoff.ToJson(attachments, collectors));
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

    private string SlotDirectory()
    {
        var session = string.IsNullOrWhiteSpace(SessionId) ? $"{Environment.ProcessId}-{Guid.NewGuid():N}" : SessionId;
        return Path.Combine(Path.GetTempPath(), "batchbuild-workers", string.Concat(session.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_')));
    }
}
