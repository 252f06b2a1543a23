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
        try
        {
            // Workers, discovery.
            var workers = new WorkerSlots(
                invocation.WorkerSlots,
                settings.EffectiveWorkers(Environment.ProcessorCount));
            IReadOnlyList<DiscoveredTest>? discovered;
            TimeSpan listing;
            using (await workers.AcquireAsync(WorkerSlots.First, cancellationToken).ConfigureAwait(false))
            {
                // How long the listing takes is the start of a first run that has nothing on record.
                var listingClock = Stopwatch.StartNew();
                discovered = await platform.DiscoverAsync(cancellationToken).ConfigureAwait(false);
                listing = listingClock.Elapsed;
            }

            if (discovered is null)
            {
                return ProjectRunResult.Stopped(ProjectRunStatus.NotBatched);
            }

            // Store, plan.
            var storePath = Path.GetFullPath(settings.StorePath ?? options.DefaultStorePath, options.ProjectDirectory);
            using var http = settings.Lifecycle.ServerUrl is null ? null : Http.CreateClient(settings.Lifecycle.Proxy);
            // One store for the project's run: opening one checks its schema, which no test batch should pay for.
            using var store = ResultStores.Open(settings.Lifecycle, storePath, http, log.Report);
            var tests = SelectableTest.From(discovered);
            // Agents of a static split plan alike only from what is on record: this run's listing
            // time differs from agent to agent, so only a lone agent plans with it.
            var plan = await PlanAsync(
                    project,
                    tests,
                    store,
                    settings,
                    batchId,
                    workers.Count * slot.Count,
                    slot.Count > 1 ? null : listing.TotalMilliseconds,
                    log.Report,
                    cancellationToken)
                .ConfigureAwait(false);
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
                Listings(tests, listing, batchId), TimeSpan.FromMilliseconds(plan.Forecast.PredictedMillis));
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
    }

    /// <summary>
    /// The plan for <paramref name="tests"/>: their recorded durations (and pass rates, when the
    /// flakiness or sorting strategy needs them) and their assemblies' recorded start costs from
    /// the store, cut by the batching strategy for <paramref name="workers"/> workers (of every
    /// agent), with its forecast and, when it spends more time starting than testing, the BB1016
    /// advice. <paramref name="measuredStartMillis"/> is this run's listing time, the start of an
    /// assembly with nothing on record.
    /// </summary>
    public static async Task<ProjectPlan> PlanAsync(
        string project,
        IReadOnlyList<SelectableTest> tests,
        IResultStore store,
        BatchBuildSettings settings,
        BatchId batchId,
        int workers,
        double? measuredStartMillis,
        Action<Diagnostic> report,
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
        var starts = await StartCostsAsync(store, assemblies, settings, batchId, now, report, cancellationToken)
            .ConfigureAwait(false);
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

    // The recorded start costs of the assemblies, over the durations' window and without the batch
    // being planned; none, with a warning, when the store cannot answer: the plan then estimates them.
    private static async Task<IReadOnlyList<StartCostRecord>> StartCostsAsync(
        IResultStore store,
        IReadOnlyList<string> assemblies,
        BatchBuildSettings settings,
        BatchId batchId,
        DateTimeOffset now,
        Action<Diagnostic> report,
        CancellationToken cancellationToken)
    {
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

    // One listing record per assembly of the tests: how long this run's discovery took.
    private static List<StartCostRecord> Listings(
        IReadOnlyList<SelectableTest> tests,
        TimeSpan listing,
        BatchId batchId) =>
        [.. tests.GroupBy(test => test.Key.Assembly, StringComparer.Ordinal).Select(group => new StartCostRecord(
            group.Key,
            StartCostKind.Listing,
            listing.TotalMilliseconds,
            listing.TotalMilliseconds,
            0,
            group.Count(),
            batchId.Value,
            DateTimeOffset.UtcNow))];

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
