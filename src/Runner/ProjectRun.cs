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
using BatchBuild.Lifecycle;
using BatchBuild.Store;

namespace BatchBuild.Runner;

/// <summary>
/// The run of one test project as test batches, the same for every test platform and host: read
/// the settings, resolve the batch ID and this agent's slot, take the invocation's worker slots,
/// discover the tests, open the store, plan, run the test batches and record their results, and
/// close the batch after the last project. It talks to the test platform through
/// <see cref="ITestPlatform"/> and to the <c>dotnet test</c> invocation through
/// <see cref="IDotnetTestInvocation"/>; the MSBuild task and the launcher only translate their
/// parameters and choose the ports.
/// </summary>
internal sealed class ProjectRun(ProjectRunOptions options, IDotnetTestInvocation invocation, IRunLog log)
{
    /// <summary>
    /// The batch the run's tests belong to, once resolved: known to the host also when the run
    /// fails later.
    /// </summary>
    public BatchId? BatchId { get; private set; }

    /// <summary>
    /// Runs the project on the platform <paramref name="platformFor"/> makes for its settings (null
    /// when it cannot run with them, having said why).
    /// </summary>
    public async Task<ProjectRunResult> RunAsync(
        Func<ProjectSetup, ITestPlatform?> platformFor, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var project = options.Project;

        // Settings, batch ID, agent slot.
        var settings = ProjectSettings.Read(
            options.RunSettingsFile,
            options.Properties,
            log.Report,
            out var userRunSettings);
        if (settings is null || ResolveBatchId(settings) is not { Id: { } batchId } resolution)
        {
            return ProjectRunResult.Stopped(ProjectRunStatus.Failed);
        }

        BatchId = batchId;

        var (slot, problems) = AgentSlot.Resolve(
            settings.Agents.Index,
            settings.Agents.Count,
            Environment.GetEnvironmentVariable);
        foreach (var problem in problems)
        {
            log.Report(problem);
        }

        if (slot is null || platformFor(new ProjectSetup(settings, userRunSettings)) is not { } platform)
        {
            return ProjectRunResult.Stopped(ProjectRunStatus.Failed);
        }

        using var ownedPlatform = platform;
        var storePath = Path.GetFullPath(settings.StorePath ?? options.DefaultStorePath, options.ProjectDirectory);
        using var http = settings.Lifecycle.ServerUrl is null ? null : Http.CreateClient(settings.Lifecycle.Proxy);
        // One store for the project's run: opening one checks its schema, which no test batch should
        // pay for. It is opened before discovery when it can hold a record of the project, so that a
        // run that does not happen leaves no store file behind.
        IResultStore OpenStore() => ResultStores.Open(settings.Lifecycle, storePath, http, log.Report);
        IResultStore? store = null;
        try
        {
            // Workers, start costs: what the store recorded of the project decides whether its
            // tests can start before discovery ends.
            var workers = new WorkerSlots(
                invocation.WorkerSlots,
                settings.EffectiveWorkers(Environment.ProcessorCount));
            var assembly = TestKey.AssemblyNameOf(options.TestAssembly);
            // The build of the assembly, in its listing's digest: only the same build can list the same tests.
            var build = TestListDigest.OfFile(options.TestAssembly);
            store = http is null && !File.Exists(storePath) ? null : OpenStore();
            var starts = await StartCostsAsync(
                    store, [assembly], settings, batchId, DateTimeOffset.UtcNow, log.Report, cancellationToken)
                .ConfigureAwait(false);

            // Discovery, or the run of every test in its place when the plan will be one test batch
            // and the run reports the tests the last listing found.
            IReadOnlyList<DiscoveredTest>? discovered = null;
            TimeSpan? listing = null;
            var ranWhole = false;
            using (await workers.AcquireAsync(WorkerSlots.First, cancellationToken).ConfigureAwait(false))
            {
                if (await RunWholeAsync(platform, settings, slot, resolution.Attempt, assembly, build, starts,
                        workers.Count, batchId, cancellationToken).ConfigureAwait(false) is { } whole)
                {
                    ranWhole = true;
                    discovered = whole.Matches ? whole.Tests : null;
                }

                if (discovered is null)
                {
                    // How long the listing takes is the start of a first run that has nothing on record.
                    var listingClock = Stopwatch.StartNew();
                    discovered = await platform.DiscoverAsync(cancellationToken).ConfigureAwait(false);
                    listing = listingClock.Elapsed;
                }
            }

            if (discovered is null)
            {
                return ProjectRunResult.Stopped(ProjectRunStatus.NotBatched);
            }

            // Plan.
            store ??= OpenStore();
            var tests = SelectableTest.From(discovered);
            // Agents of a static split plan alike only from what is on record: this run's listing
            // time differs from agent to agent, so only a lone agent plans with it.
            var plan = await PlanAsync(
                    project,
                    tests,
                    store,
                    ranWhole ? WholeAssembly(settings, tests.Length) : settings,
                    starts,
                    batchId,
                    workers.Count * slot.Count,
                    slot.Count > 1 ? null : listing?.TotalMilliseconds,
                    cancellationToken)
                .ConfigureAwait(false);
            if (ranWhole && settings.BatchingStrategy.IsAutoSize)
            {
                // Size=auto chose the one test batch: no advice against the plan it chose.
                plan = plan with { Advice = null };
            }

            log.Say(Announce(settings, batchId, tests.Length, plan, workers.Count));
            if (plan.Advice is { } advice)
            {
                log.Report(advice);
            }

            // The close after the last project is arranged before the first test batch, so that it
            // happens also when this project fails.
            var close = new ProjectClose(batchId, project, storePath, LifecycleOf(settings), http);
            var leavesOpen = LeavesBatchOpen(settings, slot, batchId);
            if (!leavesOpen)
            {
                await invocation.PrepareCloseAsync(close, cancellationToken).ConfigureAwait(false);
            }

            // Run and record.
            var runner = new TestBatchRunner(
                project, options.TestAssembly, settings, batchId, slot, slot.NameOn(Environment.MachineName),
                workers, store, http, log, resolution.Attempt,
                listing is { } listed ? Listings(tests, listed, build, batchId) : [],
                TimeSpan.FromMilliseconds(plan.Forecast.PredictedMillis));
            var result = await runner.RunAsync(plan.Batches, platform, cancellationToken).ConfigureAwait(false);
            platform.Finish(clock.Elapsed);

            // Close.
            if (!leavesOpen)
            {
                await invocation.FinishAsync(close, cancellationToken).ConfigureAwait(false);
            }

            return result;
        }
        catch (StoreException e)
        {
            log.Report(e.Diagnostic);
            return ProjectRunResult.Stopped(ProjectRunStatus.Failed);
        }
        finally
        {
            store?.Dispose();
        }
    }

    /// <summary>
    /// The plan for <paramref name="tests"/>: their recorded durations (and pass rates, when the
    /// flakiness or sorting strategy needs them) from the store and their assemblies' recorded
    /// start costs <paramref name="starts"/>, cut by the batching strategy for
    /// <paramref name="workers"/> workers (of every agent), with its forecast and, when it spends
    /// more time starting than testing, the BB1016 advice. <paramref name="measuredStartMillis"/> is
    /// this run's listing time, the start of an assembly with nothing on record.
    /// </summary>
    private static async Task<ProjectPlan> PlanAsync(
        string project,
        IReadOnlyList<SelectableTest> tests,
        IResultStore store,
        BatchBuildSettings settings,
        IReadOnlyList<StartCostRecord> starts,
        BatchId batchId,
        int workers,
        double? measuredStartMillis,
        CancellationToken cancellationToken)
    {
        var keys = tests.SelectMany(test => test.HistoryKeys).ToList();
        var now = DateTimeOffset.UtcNow;
        var durations = await store.GetDurationsAsync(
                DurationQuery.For(keys, settings.Durations, now, batchId.Value),
                cancellationToken)
            .ConfigureAwait(false);
        // Pass rates count over the flakiness strategy's own window, when one needs them.
        var passRateWindow = settings.Durations with { TimeLimit = settings.Flakiness.TimeLimit };
        var passRates = settings.Flakiness.Type == FlakinessStrategyType.Ignore
            && settings.Sorting != SortingStrategyType.SuccessRate ? []
            : settings.Flakiness.TimeLimit == settings.Durations.TimeLimit ? durations
            : await store.GetDurationsAsync(
                DurationQuery.For(keys, passRateWindow, now, batchId.Value),
                cancellationToken).ConfigureAwait(false);
        var assemblies = tests.Select(test => test.Key.Assembly).Distinct(StringComparer.Ordinal).ToList();
        var costs = CostModel.From(assemblies, starts, measuredStartMillis, workers);
        var plan = BatchPlanner.Plan([.. tests], durations, passRates, settings, costs);
        var forecast = BatchPlanner.Forecast(tests, durations, settings, plan, costs);

        // The advice rests on recorded durations: with none, every test's time is a guess.
        var advice = settings.BatchingStrategy.IsAutoSize || durations.Count == 0
            ? null
            : RunReport.StartsOutweighTests(
                project,
                settings.BatchingStrategy,
                forecast,
                () => BatchPlanner.AutoSizeForecast(tests, durations, settings, costs),
                workers);
        return new ProjectPlan(plan, costs, forecast, advice);
    }

    // Runs every test in place of discovery when RunAhead says the plan will be one test batch,
    // with the variables of a plan's only test batch: only on a lone agent, whose plan is its own,
    // and not in a re-run, which runs only what has not passed. The tests the run reported, and
    // whether they are those of the last listing of the same build; null when it did not run.
    private async Task<(IReadOnlyList<DiscoveredTest> Tests, bool Matches)?> RunWholeAsync(
        ITestPlatform platform,
        BatchBuildSettings settings,
        AgentSlot slot,
        RunAttempt attempt,
        string assembly,
        string build,
        IReadOnlyList<StartCostRecord> starts,
        int workers,
        BatchId batchId,
        CancellationToken cancellationToken)
    {
        var decision = RunAhead.Decide(settings, assembly, starts, workers);
        if (slot.Count > 1 || attempt.IsRerun || decision is not { Starts: true, ListDigest: { } digest })
        {
            return null;
        }

        log.Say($"BatchBuild {options.Project}: every test runs before discovery: {decision.Reason}", important: false);
        var variables = TestEnvironment.Variables(batchId, 1, 1, settings.ExportApplitoolsBatchId);
        if (await platform.RunWholeAsync(variables, cancellationToken).ConfigureAwait(false) is not { } reported)
        {
            return null;
        }

        var matches = TestListDigest.Of(reported.Select(test => test.Id), build) == digest;
        log.Say(
            matches
                ? $"BatchBuild {options.Project}: the run reported the {reported.Count} tests of the last listing: "
                    + "no discovery"
                : $"BatchBuild {options.Project}: the run reported {reported.Count} tests, not those of the last "
                    + "listing: discovery checks them",
            important: false);
        return (reported, matches);
    }

    // The settings that plan a project as one test batch, after a run of every test made before
    // the plan: it ran whole, whatever the listing found since.
    private static BatchBuildSettings WholeAssembly(BatchBuildSettings settings, int tests) => settings with
    {
        BatchingStrategy = settings.BatchingStrategy with { AutoSize = false, Size = Math.Max(1, tests) },
    };

    // The recorded start costs of the assemblies, over the durations' window and without the batch
    // being planned; none when there is no store yet, and none, with a warning, when the store cannot
    // answer: the plan then estimates them.
    private static async Task<IReadOnlyList<StartCostRecord>> StartCostsAsync(
        IResultStore? store,
        IReadOnlyList<string> assemblies,
        BatchBuildSettings settings,
        BatchId batchId,
        DateTimeOffset now,
        Action<Diagnostic> report,
        CancellationToken cancellationToken)
    {
        if (store is null)
        {
            return [];
        }

        try
        {
            return await store.GetStartCostsAsync(
                    new StartCostQuery(
                        assemblies,
                        settings.Durations.TimeLimit?.WindowStart(now),
                        StartCostQuery.DefaultRunsPerAssembly,
                        batchId.Value),
                    cancellationToken)
                .ConfigureAwait(false);
        }
        catch (StoreException e)
        {
            report(Diagnostic.Warning(
                e.Code,
                $"the recorded start costs could not be read ({e.Message}); the plan estimates them"));
            return [];
        }
    }

    // One listing record per assembly of the tests: how long this run's discovery took, and the
    // digest of what it found in this build.
    private static List<StartCostRecord> Listings(
        IReadOnlyList<SelectableTest> tests,
        TimeSpan listing,
        string build,
        BatchId batchId) =>
        [.. tests.GroupBy(test => test.Key.Assembly, StringComparer.Ordinal).Select(group => new StartCostRecord(
            group.Key,
            StartCostKind.Listing,
            listing.TotalMilliseconds,
            listing.TotalMilliseconds,
            0,
            group.Count(),
            batchId.Value,
            DateTimeOffset.UtcNow,
            TestListDigest.Of(group.Select(test => test.Id), build)))];

    // The batch ID, from the settings, the CI or the invocation, logged with where it came from.
    private BatchIdResolution ResolveBatchId(BatchBuildSettings settings)
    {
        var resolution = BatchIdResolver.Resolve(
            settings.BatchId,
            Environment.GetEnvironmentVariable,
            () => invocation.Id);
        foreach (var diagnostic in resolution.Diagnostics)
        {
            log.Report(diagnostic);
        }

        if (resolution.Id is { } id)
        {
            var attempt = resolution.Attempt.IsRerun
                ? $"; attempt {resolution.Attempt.Number} from {resolution.Attempt.Origin}"
                : string.Empty;
            log.Say($"BatchBuild: batch ID {id} from {resolution.Origin}{attempt}", important: false);
        }

        return resolution;
    }

    // The log line that announces a plan of testCount tests, with its start cost and forecast.
    private string Announce(
        BatchBuildSettings settings,
        BatchId batchId,
        int testCount,
        ProjectPlan plan,
        int workers)
    {
        var planned = plan.Batches.Sum(batch => batch.Tests.Length);
        var flaky = planned > testCount ? $"; {planned - testCount} more runs of flaky tests" : string.Empty;
        var auto = settings.BatchingStrategy.IsAutoSize ? ", Size=auto" : string.Empty;
        return $"BatchBuild {options.Project}: {testCount} tests in {plan.Batches.Count} test batches "
            + $"({settings.BatchingStrategy.TypeName}{auto}{flaky}) on {workers} workers; "
            + $"{RunReport.Forecast(plan.Costs, plan.Forecast)}; batch {batchId}";
    }

    // The lifecycle settings with the summary path made absolute from the project's folder.
    private BatchLifecycleSettings LifecycleOf(BatchBuildSettings settings) => settings.Lifecycle with
    {
        SummaryPath = settings.Lifecycle.SummaryPath is { } path
            ? Path.GetFullPath(path, options.ProjectDirectory)
            : null,
    };

    // Whether this run leaves the batch open rather than closing it after the invocation's last
    // project, saying why: other agents still run it (the close step after the last agent closes
    // it), or DontCloseBatch asks for a later close.
    private bool LeavesBatchOpen(BatchBuildSettings settings, AgentSlot slot, BatchId batchId)
    {
        if (slot.Count > 1)
        {
            log.Say($"BatchBuild {options.Project}: batch {batchId} stays open for the other agents; "
                + "the close step after the last agent closes it (the BatchBuildCloseBatch target)");
            return true;
        }

        if (settings.Lifecycle.DontCloseBatch)
        {
            log.Say($"BatchBuild {options.Project}: batch {batchId} stays open (BatchBuildDontCloseBatch); "
                + "close it with the BatchBuildCloseBatch target");
            return true;
        }

        return false;
    }
}
