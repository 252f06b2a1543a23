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

namespace BatchBuild.Runner;

/// <summary>
/// The run and record steps of a <see cref="ProjectRun"/>: takes test batches from the plan, this
/// agent's share of it or the batch server's queue, runs each on the test platform in a worker
/// slot with the batch's variables, records every result, reports failures, and runs again what
/// the retry strategy asks for, in front of the rest. A re-run of a CI job
/// (<paramref name="attempt"/> past 1) first joins the batch of the run it re-runs. At the end it
/// records what each test batch run cost beside its tests, with <paramref name="listings"/>, and
/// sets the measured run time beside the <paramref name="predicted"/> one.
/// </summary>
internal sealed class TestBatchRunner(
    string projectName,
    string testAssembly,
    BatchBuildSettings settings,
    BatchId batchId,
    AgentSlot slot,
    string agent,
    WorkerSlots workers,
    IResultStore store,
    HttpClient? http,
    IRunLog log,
    RunAttempt? attempt = null,
    IReadOnlyList<StartCostRecord>? listings = null,
    TimeSpan? predicted = null)
{
    // The name test batches that run tests again go by in the log.
    private const string RetryStrategyName = "retry";

    private readonly Lock _logGate = new();

    /// <summary>Runs <paramref name="plan"/> on <paramref name="platform"/>, and logs the summary.</summary>
    public async Task<ProjectRunResult> RunAsync(
        IReadOnlyList<TestBatch> plan,
        ITestPlatform platform,
        CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        if (attempt is { IsRerun: true } rerun)
        {
            await JoinRerunAsync(rerun, cancellationToken).ConfigureAwait(false);
        }

        var ledger = new AttemptLedger(settings.Retry.Policy, settings.Retry.Mode, settings.Retry.Fast);
        var (source, shown) = await SourceAsync(plan, ledger, cancellationToken).ConfigureAwait(false);
        await using var leased = source as LeasedWork;
        var made = shown.Count == 0 ? 0 : shown.Max(batch => batch.Index);
        var testBatchCount = made;
        var outcomes = new ConcurrentBag<TestBatchOutcome>();
        var firstTests = new ConcurrentBag<double>();
        var startCosts = new ConcurrentBag<StartCostRecord>();
        var madeBefore = new ConcurrentBag<double>();
        var mine = new ConcurrentDictionary<string, SelectableTest>(StringComparer.Ordinal);
        var workerCount = Math.Min(workers.Count, Math.Max(1, shown.Count));
        var runners = Enumerable.Range(0, workerCount).Select(_ => Task.Run(async () =>
        {
            while (await source.NextAsync(cancellationToken).ConfigureAwait(false) is { } taken)
            {
                using var workerSlot = taken.Slot;
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

                    var variables = TestEnvironment.Variables(
                        batchId,
                        batch.Index,
                        testBatchCount,
                        settings.ExportApplitoolsBatchId);
                    var (outcome, run, suspects, wall) = await RunOneAsync(
                            platform,
                            batch,
                            testBatchCount,
                            variables,
                            cancellationToken)
                        .ConfigureAwait(false);
                    outcomes.Add(outcome);
                    madeBefore.Add(run.AheadMillis);
                    if (run.FirstTestMillis is { } firstTest)
                    {
                        firstTests.Add(firstTest);
                    }

                    if (StartCostOf(batch, run, wall) is { } startCost)
                    {
                        startCosts.Add(startCost);
                    }

                    IReadOnlyList<RunAgain> runAgain;
                    lock (ledger)
                    {
                        runAgain = ledger.Record(
                            batch,
                            TestCaseResult.WorstById(suspects.Results),
                            suspects.Ids,
                            run.TimedOut is not null);
                    }

                    // Tests run again in fresh test hosts, in front of the queue.
                    var queued = runAgain.Select(group => (Group: group, Batch: new TestBatch(
                        Interlocked.Increment(ref made),
                        batch.Source,
                        group.Tests,
                        batch.ExpectedMillis / batch.Tests.Length * group.Tests.Length,
                        RetryStrategyName))).ToList();
                    again = [.. queued.Select(pair => pair.Batch)];
                    Report(platform, outcome, testBatchCount, suspects, run, queued);
                }
                finally
                {
                    await source.DoneAsync(taken, again).ConfigureAwait(false);
                }
            }
        }, cancellationToken));
        await Task.WhenAll(runners).ConfigureAwait(false);

        if (leased is not null)
        {
            var (count, takenOver) = leased.Counts;
            var tookOver = takenOver > 0
                ? $", {takenOver} taken over from agents whose lease expired"
                : string.Empty;
            log.Say($"BatchBuild {projectName}: agent {slot.Index} of {slot.Count} leased {count} "
                + $"of the queue's {leased.Plan.Count} test batches{tookOver}");
        }

        await RecordStartCostsAsync([.. listings ?? [], .. startCosts], cancellationToken).ConfigureAwait(false);
        var counts = ledger.Count(mine.Values);
        // A test batch run before the plan ran before this clock started.
        var elapsed = clock.Elapsed + TimeSpan.FromMilliseconds(madeBefore.DefaultIfEmpty(0).Max());
        log.Say(RunReport.Summary(
            projectName, batchId, counts, outcomes.Count, workers.Count, elapsed, predicted));
        if (RunReport.StartCost(projectName, [.. firstTests], workers.Count, elapsed) is { } startCost)
        {
            log.Say(startCost);
        }

        return new ProjectRunResult(ProjectRunStatus.Ran, counts, outcomes.Count);
    }

    // Before its first result and its queue, a re-run asks the store to join it to its run's
    // batch: re-opened, so that it holds every test of the run once more and closes again, or a
    // new batch of the ID for a re-run of every job. In a static split the agent then runs the
    // share it had (the plan stored on the server, cut for its index); from the queue, what its
    // run left unfinished.
    private async Task JoinRerunAsync(RunAttempt rerun, CancellationToken cancellationToken)
    {
        var joining = new Rerun(rerun.Number, slot.Index, slot.Count);
        if (await store.JoinRerunAsync(batchId, joining, cancellationToken).ConfigureAwait(false) is not { } joined)
        {
            return;
        }

        if (joined.TooOld)
        {
            log.Report(Diagnostic.Warning(
                DiagnosticCodes.RerunBatchTooOld,
                $"{projectName}: attempt {rerun.Number} ({rerun.Origin}) does not re-open batch {batchId}: "
                + "it started more than the maximum batch age ago (MaxBatchAge of the store); "
                + $"the re-run's results go to a new batch, {joined.Batch.Name}"));
            return;
        }

        var rerunOf = $"BatchBuild {projectName}: attempt {rerun.Number} ({rerun.Origin})";
        log.Say(joined.Status switch
        {
            RerunStatus.Reopened =>
                $"{rerunOf} re-runs agent {slot.Index} of {slot.Count} in batch {joined.Batch.Name}, "
                + $"which holds {joined.Batch.Counts.Total} tests of the run so far and closes again after the re-run",
            RerunStatus.Started when joined.Batch.Sequence == 1 =>
                $"{rerunOf} starts batch {joined.Batch.Name}: no earlier attempt recorded into it",
            RerunStatus.Started =>
                $"{rerunOf} runs in a new batch, {joined.Batch.Name}: "
                + "this agent's share of the run's batch had passed, so every job runs again",
            _ => $"{rerunOf} joins batch {joined.Batch.Name}",
        });
    }

    // What a run of a test batch cost beside its tests: its start is the time to its first result
    // less that result's duration (as the platform timed it, else the first result's in the list).
    // A run that failed, or whose start the platform does not know, says nothing about the start
    // of a healthy one.
    private StartCostRecord? StartCostOf(TestBatch batch, TestBatchRun run, TimeSpan wall)
    {
        if (run.Failed || run.TimedOut is not null || run.FirstTestMillis is not { } first || run.Results.Count == 0)
        {
            return null;
        }

        return new StartCostRecord(
            TestKey.AssemblyNameOf(batch.Source),
            StartCostKind.TestBatch,
            Math.Max(0, first - (run.FirstResultDurationMillis ?? run.Results[0].DurationMillis)),
            wall.TotalMilliseconds,
            run.Results.Sum(result => result.DurationMillis),
            run.Results.Count,
            batchId.Value,
            DateTimeOffset.UtcNow);
    }

    // The start costs go to the store once, at the end; a store that cannot take them costs the
    // next plan its history of them, not this run its result.
    private async Task RecordStartCostsAsync(
        IReadOnlyCollection<StartCostRecord> costs,
        CancellationToken cancellationToken)
    {
        if (costs.Count == 0)
        {
            return;
        }

        try
        {
            await store.RecordStartCostsAsync(costs, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is StoreException or HttpRequestException)
        {
            log.Report(Diagnostic.Warning(
                e is StoreException stored ? stored.Code : DiagnosticCodes.ServerUnreachable,
                $"{projectName}: the start costs of its test batches could not be recorded ({e.Message}); "
                + "the next plan estimates them from what is on record"));
        }
    }

    /// <summary>The time limit that passed, as the log and the timed-out test's result name it.</summary>
    public static string Describe(TimeLimitKind limit) => limit == TimeLimitKind.TestBatch
        ? "its test batch ran longer than TestBatchTimeoutMillis"
        : "no test result for longer than TestOutputTimeoutMillis";

    // Runs one test batch, records its results (a failed one for each test the crash or time limit
    // is pinned on) and judges it.
    private async Task<(TestBatchOutcome Outcome, TestBatchRun Run, Suspects Suspects, TimeSpan Wall)> RunOneAsync(
        ITestPlatform platform,
        TestBatch batch,
        int testBatchCount,
        IReadOnlyList<KeyValuePair<string, string>> variables,
        CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var run = await platform.RunAsync(batch, variables, cancellationToken).ConfigureAwait(false);
        var wall = clock.Elapsed + TimeSpan.FromMilliseconds(run.AheadMillis);
        var timeLimit = run.TimedOut is { } kind
            ? $"{Describe(kind)}={LimitMillis(kind)}"
            : null;
        var suspects = Suspects.Of(batch, run.Results, run.Failed, run.Running, timeLimit);
        var records = TestCaseResult.Records(
            batch,
            suspects.Results,
            batchId,
            DateTimeOffset.UtcNow,
            agent,
            TestBatchResults.NewAttempt());
        if (records.Count > 0)
        {
            await store.RecordResultsAsync(records, cancellationToken).ConfigureAwait(false);
        }

        var outcome = TestBatchOutcome.Judge(batch, suspects.Results, run.Failed, clock.Elapsed);
        var start = run.FirstTestMillis is { } first ? $", its first test after {first:0} ms" : string.Empty;
        var ahead = run.AheadMillis > 0 ? " (run before the plan)" : string.Empty;
        log.Say(
            $"BatchBuild {projectName}: test batch {batch.Index} took {wall.TotalMilliseconds:0} ms{ahead}{start}",
            important: false);
        if (outcome.Status == TestBatchStatus.Crashed && run.Log.Length > 0)
        {
            log.Say($"[{batch.Index}/{testBatchCount}] {projectName}: {platform.Name} said:"
                + $"{Environment.NewLine}{run.Log.TrimEnd()}");
        }

        return (outcome, run, suspects, wall);
    }

    // The setting of the time limit that passed, in milliseconds.
    private long LimitMillis(TimeLimitKind kind) => kind == TimeLimitKind.TestBatch
        ? settings.Timeouts.TestBatchTimeoutMillis
        : settings.Timeouts.TestOutputTimeoutMillis;

    // Where the workers take their test batches from: the whole plan on one agent; this agent's
    // share of the plan (the one stored on the batch server when there is one) in a static
    // split; the batch server's queue in queue mode, or the static share when it cannot be
    // reached. Returns the source and the plan it comes from, as the log counts test batches.
    private async Task<(ITestBatchSource Source, IReadOnlyList<TestBatch> Plan)> SourceAsync(
        IReadOnlyList<TestBatch> plan,
        AttemptLedger ledger,
        CancellationToken cancellationToken)
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
            log.Report(Diagnostic.Warning(
                DiagnosticCodes.QueueFallback,
                $"{projectName}: BatchBuildDistribution is queue but no batch server is set (BatchBuildServerUrl); "
                + "the agents split the tests statically"));
            distribution = DistributionType.Static;
        }

        var shared = plan;
        if (server is not null)
        {
            var queue = new AgentQueueClient(
                http!,
                server,
                settings.Lifecycle.ApiKey,
                batchId,
                TestKey.AssemblyNameOf(testAssembly),
                agent);
            var (work, stored, problem) = await LeasedWork.RegisterAsync(
                    queue,
                    workers,
                    slot,
                    plan,
                    distribution == DistributionType.Queue,
                    log.Report,
                    cancellationToken)
                .ConfigureAwait(false);
            if (work is not null)
            {
                log.Say($"BatchBuild {projectName}: agent {slot.Index} of {slot.Count} ({slot.Origin}) "
                    + $"leases test batches from the queue of {work.Plan.Count} at {queue.Where} (queue)");
                return (work, work.Plan);
            }

            if (stored is not null)
            {
                shared = stored;
            }
            else
            {
                log.Report(Diagnostic.Warning(
                    DiagnosticCodes.QueueFallback,
                    $"{projectName}: the batch server's queue at {queue.Where} cannot be reached or used ({problem}); "
                    + $"agent {slot.Index} of {slot.Count} runs its static share of its own plan"));
            }
        }

        var share = AgentSplit.ShareOf(shared, slot);
        var shareTests = share.SelectMany(batch => batch.Tests).DistinctBy(test => test.Id).Count();
        var fromServer = shared == plan ? string.Empty : " of the plan stored on the batch server";
        log.Say(
            $"BatchBuild {projectName}: agent {slot.Index} of {slot.Count} ({slot.Origin}) "
            + $"runs {share.Count} of the {shared.Count} test batches, {shareTests} tests (static split{fromServer})");
        ledger.Plan(share);
        return (new PlannedWork(share, workers), shared);
    }

    // A failure or a missing result is an error when the test will not run again, else a warning
    // that says it will.
    private void Report(
        ITestPlatform platform,
        TestBatchOutcome outcome,
        int testBatchCount,
        Suspects suspects,
        TestBatchRun run,
        IReadOnlyList<(RunAgain Group, TestBatch Batch)> again)
    {
        var timedOut = run.TimedOut;
        var runsAgain = again
            .SelectMany(pair => pair.Group.Tests.Select(test => (Test: test.ToString(), pair.Batch.Index)))
            .ToDictionary(pair => pair.Test, pair => pair.Index, StringComparer.Ordinal);
        Diagnostic Verdict(string code, string test, string what, string? detail = null)
        {
            var why = detail is null ? string.Empty : $" ({detail})";
            var message = $"{test} {what} in test batch {outcome.Batch.Index}{why}";
            return runsAgain.TryGetValue(test, out var index)
                ? new Diagnostic(
                    code,
                    DiagnosticSeverity.Warning,
                    null,
                    $"{message}; it runs again in test batch {index}",
                    testAssembly)
                : new Diagnostic(code, DiagnosticSeverity.Error, null, message, testAssembly);
        }

        lock (_logGate)
        {
            log.Say(RunReport.Progress(projectName, outcome, testBatchCount));
            foreach (var test in outcome.FailedTests.Where(test => !suspects.Names.Contains(test)))
            {
                log.Report(Verdict(DiagnosticCodes.TestFailed, test, "failed"));
            }

            foreach (var test in suspects.Names)
            {
                log.Report(timedOut is { } limit
                    ? Verdict(
                        DiagnosticCodes.TestTimedOut,
                        test,
                        "timed out",
                        $"{Describe(limit)}; its test host was killed")
                    : Verdict(
                        DiagnosticCodes.TestCrashedHost,
                        test,
                        "crashed its test host",
                        $"it ran alone; see what {platform.Name} said above"));
            }

            if (suspects.Probable.Count > 0 && again.Count > 0)
            {
                log.Say($"[{outcome.Batch.Index}/{testBatchCount}] {projectName}: "
                    + $"the test host crashed while {string.Join(", ", suspects.Probable)} ran, "
                    + "as far as the test framework reported; each test without a result runs again alone");
            }

            foreach (var test in outcome.NotRun)
            {
                log.Report(Verdict(
                    DiagnosticCodes.TestNotRun,
                    test,
                    "reported no result",
                    run.Failed
                        ? "the test host crashed or was killed, or the run was aborted; "
                            + $"see what {platform.Name} said above"
                        : "its test batch ran to the end without it: "
                            + "the test framework did not run it when selected; "
                            + "see docs/testing-platform.md, 'Known limits'"));
            }

            if (outcome.Status == TestBatchStatus.Crashed && outcome.NotRun.Length == 0 && suspects.Names.Count == 0)
            {
                log.Report(new Diagnostic(
                    DiagnosticCodes.TestNotRun,
                    DiagnosticSeverity.Error,
                    null,
                    $"test batch {outcome.Batch.Index} failed without a failed test; "
                    + $"see what {platform.Name} said above",
                    testAssembly));
            }

            foreach (var test in outcome.Unplanned)
            {
                log.Report(new Diagnostic(
                    DiagnosticCodes.UnplannedTest,
                    DiagnosticSeverity.Warning,
                    null,
                    $"{test} ran in test batch {outcome.Batch.Index} but was not planned there",
                    testAssembly));
            }

            foreach (var (group, batch) in again)
            {
                log.Say(RunReport.RunningAgain(projectName, group, batch.Index, testBatchCount));
            }
        }
    }
}
