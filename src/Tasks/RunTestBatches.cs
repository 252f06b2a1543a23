using System.Collections.Concurrent;
using System.Diagnostics;
using BatchBuild.Client;
using BatchBuild.Core;
using BatchBuild.Core.Agents;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Configuration;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Planning;
using BatchBuild.Core.Running;
using BatchBuild.Core.Store;
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
    private readonly object _logGate = new();
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
            || TaskSettings.ResolveBatchId(Log, settings, SessionId) is not { } batchId
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
        var durations = await store.GetDurationsAsync(
            DurationQuery.For(tests.SelectMany(test => test.HistoryKeys), settings.Durations, DateTimeOffset.UtcNow, batchId.Value),
            cancellationToken).ConfigureAwait(false);
        // Pass rates count over the flakiness strategy's own window, when one needs them.
        var passRates = settings.Flakiness.Type == FlakinessStrategyType.Ignore && settings.Sorting != SortingStrategyType.SuccessRate ? []
            : settings.Flakiness.TimeLimit == settings.Durations.TimeLimit ? durations
            : await store.GetDurationsAsync(
                DurationQuery.For(tests.SelectMany(test => test.HistoryKeys), settings.Durations with { TimeLimit = settings.Flakiness.TimeLimit }, DateTimeOffset.UtcNow, batchId.Value),
                cancellationToken).ConfigureAwait(false);
        var plan = BatchPlanner.Plan(tests, durations, passRates, settings);
        var planned = plan.Sum(batch => batch.Tests.Length);
        Log.LogMessage(
            MessageImportance.High,
            $"BatchBuild {ProjectName}: {tests.Length} tests in {plan.Count} test batches ({settings.BatchingStrategy.TypeName}{(planned > tests.Length ? $"; {planned - tests.Length} more runs of flaky tests" : string.Empty)}) on {workers.Count} workers; batch {batchId}");

        var ledger = new AttemptLedger(settings.Retry.Policy, settings.Retry.Mode, settings.Retry.Fast);
        var (source, shown) = await SourceAsync(plan, workers, slot, settings, batchId, http, ledger, cancellationToken).ConfigureAwait(false);
        await using var leased = source as LeasedWork;
        PrepareClose(batchId, settings, storePath, slot);
        var loggers = HostedLoggers.Start(
            VsTestRunSettings.Loggers(userRunSettings, Loggers),
            [Path.GetDirectoryName(Path.GetFullPath(TestAssembly))!, .. TestAdapterPaths.Where(path => !string.IsNullOrWhiteSpace(path)), Path.Combine(Path.GetDirectoryName(VSTestConsolePath)!, "Extensions")],
            ResultsFolder,
            NullIfEmpty(TargetFrameworkMoniker),
            Log.Report);
        var limits = new TestBatchLimits(
            settings.Timeouts.TestBatchTimeoutMillis + HangDumpGraceMillis,
            settings.Timeouts.TestOutputTimeoutMillis + HangDumpGraceMillis);
        var made = shown.Count == 0 ? 0 : shown.Max(batch => batch.Index);
        var testBatchCount = made;
        var outcomes = new ConcurrentBag<TestBatchOutcome>();
        var runs = new ConcurrentBag<TestBatchRun>();
        var mine = new ConcurrentDictionary<string, SelectableTest>(StringComparer.Ordinal);
        var runners = Enumerable.Range(0, Math.Min(workers.Count, Math.Max(1, shown.Count))).Select(_ => Task.Run(async () =>
        {
            while (await source.NextAsync(cancellationToken).ConfigureAwait(false) is { } taken)
            {
                using var slot = taken.Slot;
                IReadOnlyList<TestBatch> again = [];
                try
                {
                    TestBatch? batch;
                    lock (ledger)
                    {
                        if (taken.Fresh)
                        {
                            ledger.Plan([taken.Batch]);
                        }

                        batch = ledger.Drop(taken.Batch);
                    }

                    foreach (var test in taken.Batch.Tests)
                    {
                        mine.TryAdd(test.Id, test);
                    }

                    if (batch is null)
                    {
                        continue;
                    }

                    var runSettings = VsTestRunSettings.ForTestBatch(
                        projectRunSettings,
                        TestEnvironment.Variables(batchId, batch.Index, testBatchCount, settings.ExportApplitoolsBatchId));
                    var (outcome, run, suspects) = await RunAsync(sessions, batch, testBatchCount, batchId, runSettings, limits, settings.Timeouts, discovered.ById, store, cancellationToken).ConfigureAwait(false);
                    outcomes.Add(outcome);
                    runs.Add(run);
                    loggers.Add(run);

                    IReadOnlyList<RunAgain> runAgain;
                    lock (ledger)
                    {
                        runAgain = ledger.Record(batch, TestCaseResult.WorstById(suspects.Results), suspects.Ids, run.TimedOut is not null);
                    }

                    // Tests run again in fresh test hosts, in front of the queue.
                    var queued = runAgain.Select(group => (Group: group, Batch: new TestBatch(
                        Interlocked.Increment(ref made), batch.Source, group.Tests, batch.ExpectedMillis / batch.Tests.Length * group.Tests.Length, RetryStrategyName))).ToList();
                    again = [.. queued.Select(pair => pair.Batch)];
                    Report(outcome, testBatchCount, suspects, run.TimedOut, queued);
                }
                finally
                {
                    await source.DoneAsync(taken, again).ConfigureAwait(false);
                }
            }
        }, cancellationToken));
        await Task.WhenAll(runners).ConfigureAwait(false);
        loggers.Complete(clock.Elapsed);
        HandOver(runs);

        if (leased is not null)
        {
            var (count, takenOver) = leased.Counts;
            Log.LogMessage(MessageImportance.High, $"BatchBuild {ProjectName}: agent {slot.Index} of {slot.Count} leased {count} of the queue's {leased.Plan.Count} test batches{(takenOver > 0 ? $", {takenOver} taken over from agents whose lease expired" : string.Empty)}");
        }

        Log.LogMessage(MessageImportance.High, RunReport.Summary(ProjectName, batchId, ledger.Count(mine.Values), outcomes.Count, workers.Count, clock.Elapsed));
        return !Log.HasLoggedErrors;
    }

    // Where the workers take their test batches from: the whole plan on one agent; this agent's
    // share of the plan (the one stored on the batch server when there is one) in a static
    // split; the batch server's queue in queue mode, or the static share when it cannot be
    // reached. Returns the source and the plan it comes from, as the log counts test batches.
    private async Task<(ITestBatchSource Source, IReadOnlyList<TestBatch> Plan)> SourceAsync(
        IReadOnlyList<TestBatch> plan, WorkerSlots workers, AgentSlot slot, BatchBuildSettings settings, BatchId batchId, HttpClient? http, AttemptLedger ledger, CancellationToken cancellationToken)
    {
        var server = settings.Lifecycle.ServerUrl;
        var distribution = settings.Agents.DistributionFor(slot.Count, server is not null);
        if (distribution == DistributionType.None)
        {
            ledger.Plan(plan);
            return (new PlannedWork(plan, workers), plan);
        }

        if (distribution == DistributionType.Queue && server is null)
        {
            Log.Report(Diagnostic.Warning(DiagnosticCodes.QueueFallback, $"{ProjectName}: BatchBuildDistribution is queue but no batch server is set (BatchBuildServerUrl); the agents split the tests statically"));
            distribution = DistributionType.Static;
        }

        var shared = plan;
        if (server is not null)
        {
            var queue = new AgentQueueClient(http!, server, settings.Lifecycle.ApiKey, batchId, TestKey.AssemblyNameOf(TestAssembly), _agent);
            var (work, stored, problem) = await LeasedWork.RegisterAsync(queue, workers, slot, plan, distribution == DistributionType.Queue, Log.Report, cancellationToken).ConfigureAwait(false);
            if (work is not null)
            {
                Log.LogMessage(MessageImportance.High, $"BatchBuild {ProjectName}: agent {slot.Index} of {slot.Count} ({slot.Origin}) leases test batches from the queue of {work.Plan.Count} at {queue.Where} (queue)");
                return (work, work.Plan);
            }

            if (stored is not null)
            {
                shared = stored;
            }
            else
            {
                Log.Report(Diagnostic.Warning(DiagnosticCodes.QueueFallback, $"{ProjectName}: the batch server at {queue.Where} cannot be reached ({problem}); agent {slot.Index} of {slot.Count} runs its static share of its own plan"));
            }
        }

        var share = AgentSplit.ShareOf(shared, slot);
        Log.LogMessage(
            MessageImportance.High,
            $"BatchBuild {ProjectName}: agent {slot.Index} of {slot.Count} ({slot.Origin}) runs {share.Count} of the {shared.Count} test batches, {share.SelectMany(batch => batch.Tests).DistinctBy(test => test.Id).Count()} tests (static split{(shared == plan ? string.Empty : " of the plan stored on the batch server")})");
        ledger.Plan(share);
        return (new PlannedWork(share, workers), shared);
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

    private async Task<(TestBatchOutcome Outcome, TestBatchRun Run, Suspects Suspects)> RunAsync(
        VsTestSessions sessions,
        TestBatch batch,
        int testBatchCount,
        BatchId batchId,
        string runSettings,
        TestBatchLimits limits,
        TimeoutSettings timeouts,
        IReadOnlyDictionary<string, IReadOnlyList<TestCase>> testCases,
        IResultStore store,
        CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var run = await sessions.UseAsync(session => session.Run(batch.Tests.SelectMany(test => testCases[test.Id]), runSettings, limits, cancellationToken)).ConfigureAwait(false);
        // With --blame-hang, vstest's blame collector takes the dump and kills a hanging host itself:
        // a run that failed after going that long without a result timed out all the same.
        if (run.TimedOut is null && run.Failed && BlameHangMillis is { } hang && run.SilentMillis >= Math.Min(hang, timeouts.TestOutputTimeoutMillis))
        {
            run = run with { TimedOut = TimeLimitKind.TestOutput };
        }

        var timeLimit = run.TimedOut is { } kind
            ? $"{Describe(kind)}={(kind == TimeLimitKind.TestBatch ? timeouts.TestBatchTimeoutMillis : timeouts.TestOutputTimeoutMillis)}"
            : null;
        var suspects = Suspects.Of(batch, run.CaseResults, run.Failed, run.Running, timeLimit);
        var records = TestCaseResult.Records(batch, suspects.Results, batchId, DateTimeOffset.UtcNow, _agent, TestBatchResults.NewAttempt());
        if (records.Count > 0)
        {
            await store.RecordResultsAsync(records, cancellationToken).ConfigureAwait(false);
        }

        var outcome = TestBatchOutcome.Judge(batch, suspects.Results, run.Failed, clock.Elapsed);
        Log.LogMessage(MessageImportance.Normal, $"BatchBuild {ProjectName}: test batch {batch.Index} took {clock.Elapsed.TotalMilliseconds:0} ms");
        if (outcome.Status == TestBatchStatus.Crashed && run.Log.Length > 0)
        {
            Log.LogMessage(MessageImportance.High, $"[{batch.Index}/{testBatchCount}] {ProjectName}: vstest said:{Environment.NewLine}{run.Log.TrimEnd()}");
        }

        return (outcome, run, suspects);
    }

    // The name test batches that run tests again go by in the log.
    private const string RetryStrategyName = "retry";

    // With --blame-hang, vstest's blame collector takes the hang dump at the time limit and kills
    // the test host itself; BatchBuild kills it this much later if it is still there.
    private long HangDumpGraceMillis => BlameHang ? 60_000 : 0;

    // The --blame-hang timeout in milliseconds, or null without --blame-hang.
    private long? BlameHangMillis { get; set; }

    // A failure or a missing result is an error when the test will not run again, else a warning
    // that says it will.
    private void Report(TestBatchOutcome outcome, int testBatchCount, Suspects suspects, TimeLimitKind? timedOut, IReadOnlyList<(RunAgain Group, TestBatch Batch)> again)
    {
        var runsAgain = again.SelectMany(pair => pair.Group.Tests.Select(test => (Test: test.ToString(), pair.Batch.Index)))
            .ToDictionary(pair => pair.Test, pair => pair.Index, StringComparer.Ordinal);
        Diagnostic Verdict(string code, string test, string what, string? detail = null)
        {
            var message = $"{test} {what} in test batch {outcome.Batch.Index}{(detail is null ? string.Empty : $" ({detail})")}";
            return runsAgain.TryGetValue(test, out var index)
                ? new Diagnostic(code, DiagnosticSeverity.Warning, null, $"{message}; it runs again in test batch {index}", TestAssembly)
                : new Diagnostic(code, DiagnosticSeverity.Error, null, message, TestAssembly);
        }

        lock (_logGate)
        {
            Log.LogMessage(MessageImportance.High, RunReport.Progress(ProjectName, outcome, testBatchCount));
            foreach (var test in outcome.FailedTests.Where(test => !suspects.Names.Contains(test)))
            {
                Log.Report(Verdict(DiagnosticCodes.TestFailed, test, "failed"));
            }

            foreach (var test in suspects.Names)
            {
                Log.Report(timedOut is { } limit
                    ? Verdict(DiagnosticCodes.TestTimedOut, test, "timed out", $"{Describe(limit)}; its test host was killed")
                    : Verdict(DiagnosticCodes.TestCrashedHost, test, "crashed its test host", "it ran alone; see what vstest said above"));
            }

            if (suspects.Probable.Count > 0 && again.Count > 0)
            {
                Log.LogMessage(
                    MessageImportance.High,
                    $"[{outcome.Batch.Index}/{testBatchCount}] {ProjectName}: the test host crashed while {string.Join(", ", suspects.Probable)} ran, as far as the test framework reported; each test without a result runs again alone");
            }

            foreach (var test in outcome.NotRun)
            {
                Log.Report(Verdict(DiagnosticCodes.TestNotRun, test, "reported no result", "the test host crashed or was killed, or the run was aborted; see what vstest said above"));
            }

            if (outcome.Status == TestBatchStatus.Crashed && outcome.NotRun.Length == 0 && suspects.Names.Count == 0)
            {
                Log.Report(new Diagnostic(DiagnosticCodes.TestNotRun, DiagnosticSeverity.Error, null, $"test batch {outcome.Batch.Index} failed without a failed test; see what vstest said above", TestAssembly));
            }

            foreach (var test in outcome.Unplanned)
            {
                Log.Report(new Diagnostic(DiagnosticCodes.UnplannedTest, DiagnosticSeverity.Warning, null, $"{test} ran in test batch {outcome.Batch.Index} but was not planned there", TestAssembly));
            }

            foreach (var (group, batch) in again)
            {
                Log.LogMessage(MessageImportance.High, RunReport.RunningAgain(ProjectName, group, batch.Index, testBatchCount));
            }
        }
    }

    // The time limit that passed, as the log and the timed-out test's result name it.
    private static string Describe(TimeLimitKind limit) => limit == TimeLimitKind.TestBatch
        ? "its test batch ran longer than TestBatchTimeoutMillis"
        : "no test result for longer than TestOutputTimeoutMillis";

    private bool CollectsArtifacts =>
        !string.IsNullOrWhiteSpace(SessionId) && string.Equals(ArtifactsProcessingMode, "collect", StringComparison.OrdinalIgnoreCase);

    // Under dotnet test, the batch closes once, after the last project, in the SDK's artifact
    // post-processing step: each project hands over its close request (see PostProcessingHandoff).
    private void PrepareClose(BatchId batchId, BatchBuildSettings settings, string storePath, AgentSlot slot)
    {
        if (slot.Count > 1)
        {
            Log.LogMessage(MessageImportance.High, $"BatchBuild {ProjectName}: batch {batchId} stays open for the other agents; the close step after the last agent closes it (the BatchBuildCloseBatch target)");
            return;
        }

        if (settings.Lifecycle.DontCloseBatch)
        {
            Log.LogMessage(MessageImportance.High, $"BatchBuild {ProjectName}: batch {batchId} stays open (BatchBuildDontCloseBatch); close it with the BatchBuildCloseBatch target");
            return;
        }

        if (!CollectsArtifacts)
        {
            Log.LogMessage(MessageImportance.High, $"BatchBuild {ProjectName}: not run by dotnet test, so batch {batchId} stays open; close it with the BatchBuildCloseBatch target, or it closes when idle");
            return;
        }

        var summary = settings.Lifecycle.SummaryPath is { } path ? Path.GetFullPath(path, ProjectDirectory) : null;
        var request = CloseRequest.From(batchId, ProjectName, storePath, settings.Lifecycle with { SummaryPath = summary }, DateTimeOffset.UtcNow);
        var folder = PostProcessingHandoff.CreateFolder(Path.GetTempPath(), SessionId!);
        var file = Path.Combine(folder, PostProcessingHandoff.CloseRequestFileName);
        WriteForOwner(file, request.ToJson());
        WriteForOwner(
            Path.Combine(folder, PostProcessingHandoff.FileName),
            PostProcessingHandoff.ForClose(file, Path.Combine(ExtensionDirectory, PostProcessingHandoff.CollectorAssembly)));
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
