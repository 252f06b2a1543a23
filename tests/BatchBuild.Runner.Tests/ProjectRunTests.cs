using BatchBuild.Core;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Store;
using BatchBuild.Store;

namespace BatchBuild.Runner.Tests;

/// <summary>
/// One project's run from its settings to its close, on a test platform whose tests do what each
/// test says, with a real SQLite store: the flow both hosts share, without a test host.
/// </summary>
[CancelAfter(120_000)]
public sealed class ProjectRunTests
{
    private const string Assembly = "/suite/Shop.Tests.dll";
    private static readonly string[] TenTests = [.. Enumerable.Range(1, 10).Select(i => $"Shop.Tests.Case{i:D2}")];

    private string _folder = null!;
    private ListLog _log = null!;
    private RecordingInvocation _invocation = null!;

    [SetUp]
    public void SetUp()
    {
        _folder = Directory.CreateTempSubdirectory("batchbuild-runner-tests-").FullName;
        _log = new ListLog();
        _invocation = new RecordingInvocation(Path.Combine(_folder, "workers"));
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_folder, recursive: true);

    [Test]
    public async Task Every_test_runs_once_in_test_batches_of_the_configured_size_and_every_result_is_recorded(
        CancellationToken cancellationToken)
    {
        var platform = new ScriptedPlatform(Assembly, TenTests);

        var run = new ProjectRun(
            Options([("BatchBuildStrategy", "fixed-size"), ("BatchBuildSize", "3"), ("BatchBuildWorkers", "2")]),
            _invocation,
            _log);
        var result = await run.RunAsync(_ => platform, cancellationToken);

        Assert.That(result.Status, Is.EqualTo(ProjectRunStatus.Ran), _log.ToString());
        var batchId = run.BatchId.GetValueOrDefault();
        var ran = platform.Ran.ToList();
        Assert.That(ran.Select(run => run.Batch.Tests.Length).Order(), Is.EqualTo(new[] { 1, 3, 3, 3 }));
        Assert.That(
            ran.SelectMany(run => run.Batch.Tests).Select(test => test.FullyQualifiedName).Order(),
            Is.EqualTo(TenTests),
            "each test once");
        Assert.That(
            ran.Select(run => run.Variables[BatchIdResolver.BatchIdVariable]).Distinct(),
            Is.EqualTo(new[] { batchId.Value }),
            "every test host sees the batch");
        Assert.That((result.Counts.Passed, result.Counts.Failed, result.TestBatches), Is.EqualTo((10, 0, 4)));
        Assert.That(
            (platform.Finished, platform.Disposed),
            Is.EqualTo((true, true)),
            "the platform reports the whole run, and is ended");
        Assert.That(
            _invocation.Steps,
            Is.EqualTo(new[] { $"prepare {batchId}", $"finish {batchId}" }),
            "the close is arranged before the first test batch, and finished after the last");
        using var store = SqliteBatchStore.Open(StorePath);
        var batch = await store.GetBatchAsync(batchId, cancellationToken);
        Assert.That(
            (batch!.Counts.Passed, batch.Counts.TestBatches),
            Is.EqualTo((10, 4)),
            "every result is in the store");
    }

    [Test]
    public async Task A_failed_test_runs_again_in_front_of_the_rest_and_counts_as_flaky_when_it_then_passes(
        CancellationToken cancellationToken)
    {
        var platform = new ScriptedPlatform(Assembly, TenTests)
        {
            Outcome = (name, run) => name == TenTests[0] && run == 1 ? TestRunOutcome.Failed : TestRunOutcome.Passed,
        };

        var result = await Run(
            platform,
            cancellationToken,
            ("BatchBuildStrategy", "fixed-size"),
            ("BatchBuildSize", "5"),
            ("BatchBuildWorkers", "1"),
            ("BatchBuildRetryStrategy", "fixed-quota"));

        var ran = platform.Ran.Select(run => run.Batch).ToList();
        Assert.That(ran, Has.Count.EqualTo(3), _log.ToString());
        Assert.That(
            ran[1].Tests.Select(test => test.FullyQualifiedName),
            Is.EqualTo(new[] { TenTests[0] }),
            "the retry runs next, before the rest of the plan");
        Assert.That(ran[1].Strategy, Is.EqualTo("retry"));
        Assert.That((result.Counts.Passed, result.Counts.Failed, result.Counts.Flaky), Is.EqualTo((10, 0, 1)));
        Assert.That(
            _log.Diagnostics.Single().Code,
            Is.EqualTo(DiagnosticCodes.TestFailed),
            "the first failure is a warning that says the test runs again");
        Assert.That(_log.Diagnostics.Single().Severity, Is.EqualTo(DiagnosticSeverity.Warning));
    }

    [Test]
    public async Task A_test_that_crashes_its_test_host_runs_again_alone_and_the_rest_of_its_test_batch_with_it(
        CancellationToken cancellationToken)
    {
        var platform = new ScriptedPlatform(Assembly, TenTests) { Crashes = new HashSet<string> { TenTests[1] } };

        var result = await Run(
            platform,
            cancellationToken,
            ("BatchBuildStrategy", "fixed-size"),
            ("BatchBuildSize", "10"),
            ("BatchBuildWorkers", "1"),
            ("BatchBuildUncompletedTestRetryQuota", "1"));

        Assert.That(result.Counts.Passed, Is.EqualTo(10), _log.ToString());
        var again = platform.Ran
            .Skip(1)
            .Select(run => run.Batch.Tests.Select(test => test.FullyQualifiedName).ToList())
            .ToList();
        Assert.That(again, Has.Some.EqualTo(new[] { TenTests[1] }), "the test that ran when the host died runs alone");
        Assert.That(
            again.SelectMany(tests => tests).Order(),
            Is.EqualTo(TenTests.Skip(1)),
            "with every test that had not reported, once");
    }

    [Test]
    public async Task Two_agents_of_a_static_split_each_run_their_own_share_and_leave_the_batch_open(
        CancellationToken cancellationToken)
    {
        var first = new ScriptedPlatform(Assembly, TenTests);
        var second = new ScriptedPlatform(Assembly, TenTests);
        var split = new[] { (
            "BatchBuildStrategy",
            "fixed-size"), ("BatchBuildSize", "2"), ("BatchBuildAgentCount", "2"), ("BatchBuildBatchId", "split-1") };

        var one = await Run(first, cancellationToken, [.. split, ("BatchBuildAgentIndex", "1")]);
        var two = await Run(second, cancellationToken, [.. split, ("BatchBuildAgentIndex", "2")]);

        var ranByOne = first.Ran.SelectMany(run => run.Batch.Tests).Select(test => test.FullyQualifiedName).ToList();
        var ranByTwo = second.Ran.SelectMany(run => run.Batch.Tests).Select(test => test.FullyQualifiedName).ToList();
        Assert.That(
            (ranByOne.Count, ranByTwo.Count),
            Is.Not.EqualTo((0, 0)).And.Not.EqualTo((10, 10)),
            _log.ToString());
        Assert.That(ranByOne.Intersect(ranByTwo), Is.Empty, "no test runs on both agents");
        Assert.That(ranByOne.Concat(ranByTwo).Order(), Is.EqualTo(TenTests), "together they run every test");
        Assert.That((one.Counts.Passed + two.Counts.Passed), Is.EqualTo(10));
        Assert.That(_invocation.Steps, Is.Empty, "the batch stays open for the close step after the last agent");
        Assert.That(_log.Lines, Has.Some.Contains("stays open for the other agents"));
    }

    [Test]
    public async Task A_first_run_plans_with_the_start_its_discovery_took_and_sets_the_prediction_beside_its_time(
        CancellationToken cancellationToken)
    {
        var platform = new ScriptedPlatform(Assembly, TenTests);

        var result = await Run(
            platform,
            cancellationToken,
            ("BatchBuildStrategy", "fixed-size"),
            ("BatchBuildSize", "auto"),
            ("BatchBuildWorkers", "2"));

        Assert.That(result.Counts.Passed, Is.EqualTo(10), _log.ToString());
        Assert.That(platform.Ran, Has.Count.EqualTo(2), "no durations on record: one test batch per worker");
        var planLine = _log.Lines.Single(line => line.Contains("(fixed-size, Size=auto) on 2 workers; start "));
        Assert.That(
            planLine,
            Does.Contain(" per test batch (this run's discovery), predicted ").And.Contain(", lower bound "));
        var summary = _log.Lines.Single(line => line.Contains("10 passed"));
        Assert.That(summary, Does.Match(@"in \d+\.\d s, predicted \d+\.\d s; batch "));
        Assert.That(_log.Diagnostics, Is.Empty, "no advice without recorded durations");
    }

    [Test]
    public async Task A_first_run_records_the_start_costs_and_a_second_run_plans_with_them(
        CancellationToken cancellationToken)
    {
        // Each run reaches its first result 1.25 s after launch, its first test having taken 50 ms.
        var first = new ScriptedPlatform(Assembly, TenTests) { FirstTestMillis = 1250, TestMillis = 50 };
        var second = new ScriptedPlatform(Assembly, TenTests) { FirstTestMillis = 1250, TestMillis = 50 };
        (string, string)[] auto = [("BatchBuildStrategy", "fixed-size"), ("BatchBuildSize", "auto"),
            ("BatchBuildWorkers", "2")];

        await Run(first, cancellationToken, [.. auto, ("BatchBuildBatchId", "first")]);
        using (IResultStore store = SqliteBatchStore.Open(StorePath))
        {
            var recorded = await store.GetStartCostsAsync(
                new StartCostQuery(["Shop.Tests"], null, StartCostQuery.DefaultRunsPerAssembly),
                cancellationToken);
            Assert.That(
                recorded.Where(cost => cost.Kind == StartCostKind.TestBatch).Select(cost => cost.StartMillis),
                Is.EqualTo(new[] { 1200.0, 1200.0 }),
                "one record per run of a test batch: its first result less that result's duration");
            Assert.That(recorded.Count(cost => cost.Kind == StartCostKind.Listing), Is.EqualTo(1), "and the listing");
        }

        _log = new ListLog();
        await Run(second, cancellationToken, [.. auto, ("BatchBuildBatchId", "second")]);

        Assert.That(
            _log.Lines,
            Has.One.Contains("start 1.2 s per test batch (median of 2 runs), predicted "),
            _log.ToString());
    }

    [Test]
    public async Task Isolate_on_a_recorded_start_dearer_than_its_tests_is_advised_once_and_keeps_its_plan(
        CancellationToken cancellationToken)
    {
        // A start of 1.2 s against tests of 0.5 s: 10 starts outweigh 5 s of tests, 2 do not.
        var first = new ScriptedPlatform(Assembly, TenTests) { FirstTestMillis = 1700, TestMillis = 500 };
        var second = new ScriptedPlatform(Assembly, TenTests) { FirstTestMillis = 1700, TestMillis = 500 };
        var large = new ScriptedPlatform(Assembly, TenTests) { FirstTestMillis = 1700, TestMillis = 500 };

        await Run(first, cancellationToken, ("BatchBuildWorkers", "2"), ("BatchBuildBatchId", "first"));
        _log = new ListLog();
        await Run(second, cancellationToken, ("BatchBuildWorkers", "2"), ("BatchBuildBatchId", "second"));
        var advised = _log.Diagnostics.Where(d => d.Code == DiagnosticCodes.StartsOutweighTests).ToList();
        _log = new ListLog();
        await Run(
            large,
            cancellationToken,
            ("BatchBuildStrategy", "fixed-size"),
            ("BatchBuildSize", "5"),
            ("BatchBuildWorkers", "2"),
            ("BatchBuildBatchId", "third"));

        Assert.That(advised, Has.Count.EqualTo(1), _log.ToString());
        Assert.That(advised[0].Message, Does.Contain("isolate plan's 10 test batches").And.Contain("Size=auto"));
        Assert.That(second.Ran, Has.Count.EqualTo(10), "the advice does not change the plan");
        Assert.That(
            _log.Diagnostics.Where(d => d.Code == DiagnosticCodes.StartsOutweighTests),
            Is.Empty,
            "2 starts of 1.2 s against 5 s of tests");
    }

    [Test]
    public async Task A_plan_of_one_test_batch_on_record_runs_every_test_in_place_of_discovery(
        CancellationToken cancellationToken)
    {
        var first = new ScriptedPlatform(Assembly, TenTests);
        var second = new ScriptedPlatform(Assembly, TenTests);
        (string, string)[] one = [("BatchBuildStrategy", "fixed-size"), ("BatchBuildSize", "20")];

        await Run(first, cancellationToken, [.. one, ("BatchBuildBatchId", "first")]);
        _log = new ListLog();
        var result = await Run(second, cancellationToken, [.. one, ("BatchBuildBatchId", "second")]);

        Assert.That(
            (first.WholeRuns, first.Discoveries, second.WholeRuns, second.Discoveries),
            Is.EqualTo(((0, 0), 1, (1, 1), 0)),
            _log.ToString());
        Assert.That(
            _log.Lines,
            Has.One.EndsWith("every test runs before discovery: its last listing found 10 tests, within Size=20"));
        Assert.That(_log.Lines, Has.One.EndsWith("the run reported the 10 tests of the last listing: no discovery"));
        Assert.That((result.Counts.Passed, result.TestBatches), Is.EqualTo((10, 1)));
        Assert.That(
            second.Ran.Single().Variables[BatchIdResolver.BatchIdVariable],
            Is.EqualTo("second"),
            "the run before the plan saw the batch's variables");
        using var store = SqliteBatchStore.Open(StorePath);
        var batch = await store.GetBatchAsync(BatchId.Parse("second"), cancellationToken);
        Assert.That(batch!.Counts.Passed, Is.EqualTo(10), "every result is in the store");
    }

    [Test]
    public async Task A_run_in_place_of_discovery_that_reports_other_tests_than_the_last_listing_is_checked_by_one(
        CancellationToken cancellationToken)
    {
        // The second run's assembly gained two tests and has one the run of the whole assembly does
        // not report (an explicit test): discovery finds it, and it runs at once.
        string[] twelve = [.. TenTests, "Shop.Tests.Case11", "Shop.Tests.Case12"];
        var first = new ScriptedPlatform(Assembly, TenTests);
        var grown = new ScriptedPlatform(Assembly, twelve) { ReportedWhenWhole = name => name != TenTests[3] };
        (string, string)[] eleven = [("BatchBuildStrategy", "fixed-size"), ("BatchBuildSize", "11")];

        await Run(first, cancellationToken, [.. eleven, ("BatchBuildBatchId", "first")]);
        _log = new ListLog();
        var result = await Run(grown, cancellationToken, [.. eleven, ("BatchBuildBatchId", "second")]);

        Assert.That((grown.WholeRuns, grown.Discoveries), Is.EqualTo(((1, 1), 1)), _log.ToString());
        Assert.That(
            _log.Lines,
            Has.One.EndsWith("the run reported 11 tests, not those of the last listing: discovery checks them"));
        Assert.That(
            (result.Counts.Passed, result.Counts.Failed, result.TestBatches),
            Is.EqualTo((12, 0, 1)),
            "the run made before the plan stays its one test batch, and every test ran");
        using IResultStore store = SqliteBatchStore.Open(StorePath);
        var costs = await store.GetStartCostsAsync(
            new StartCostQuery(["Shop.Tests"], null, StartCostQuery.DefaultRunsPerAssembly),
            cancellationToken);
        Assert.That(
            costs.Where(cost => cost.Kind == StartCostKind.Listing).MaxBy(cost => cost.FinishedAt)!.ListDigest,
            Is.EqualTo(TestListDigest.Of(grown.Tests!.Select(test => test.Id))),
            "the new listing is on record for the next run");
    }

    [Test]
    public async Task A_new_build_is_checked_by_discovery_even_when_its_run_reports_the_last_listings_tests(
        CancellationToken cancellationToken)
    {
        // The new build adds an explicit test, which a run of the whole assembly does not report.
        var build = Path.Combine(_folder, "Shop.Tests.dll");
        string[] eleven = [.. TenTests, "Shop.Tests.Explicit"];
        var first = new ScriptedPlatform(Assembly, TenTests);
        var second = new ScriptedPlatform(Assembly, eleven)
        {
            ReportedWhenWhole = name => !name.EndsWith("Explicit", StringComparison.Ordinal),
        };
        (string Name, string Value)[] one = [("BatchBuildStrategy", "fixed-size"), ("BatchBuildSize", "20")];
        Task<ProjectRunResult> RunBuild(ScriptedPlatform platform, string batchId) =>
            new ProjectRun(
                    Options([.. one, ("BatchBuildBatchId", batchId)]) with { TestAssembly = build },
                    _invocation,
                    _log)
                .RunAsync(_ => platform, cancellationToken);

        await File.WriteAllTextAsync(build, "build 1", cancellationToken);
        await RunBuild(first, "first");
        await File.WriteAllTextAsync(build, "build 2", cancellationToken);
        _log = new ListLog();
        var result = await RunBuild(second, "second");

        Assert.That((second.WholeRuns, second.Discoveries), Is.EqualTo(((1, 1), 1)), _log.ToString());
        Assert.That(
            _log.Lines,
            Has.One.EndsWith("the run reported 10 tests, not those of the last listing: discovery checks them"));
        Assert.That((result.Counts.Passed, result.TestBatches), Is.EqualTo((11, 1)), "the explicit test ran too");
    }

    [Test]
    public async Task A_platform_that_cannot_list_its_tests_leaves_the_project_to_run_without_BatchBuild(
        CancellationToken cancellationToken)
    {
        var platform = new ScriptedPlatform(Assembly, TenTests) { Tests = null };

        var result = await Run(platform, cancellationToken);

        Assert.That(result.Status, Is.EqualTo(ProjectRunStatus.NotBatched));
        Assert.That((platform.Ran.Count, platform.Disposed, _invocation.Steps.Count), Is.EqualTo((0, true, 0)));
        Assert.That(File.Exists(StorePath), Is.False, "no store is opened for a run that does not happen");
    }

    [Test]
    public async Task An_invalid_setting_fails_the_run_before_any_platform_is_made(CancellationToken cancellationToken)
    {
        var made = false;
        var run = new ProjectRun(Options([("BatchBuildSize", "many")]), _invocation, _log);

        var result = await run.RunAsync(
            _ => { made = true; return new ScriptedPlatform(Assembly, TenTests); },
            cancellationToken);

        Assert.That((result.Status, made, run.BatchId), Is.EqualTo((ProjectRunStatus.Failed, false, (BatchId?)null)));
        Assert.That(_log.Diagnostics.Select(d => d.Code), Has.Some.StartsWith("BB1"), "a coded settings error");
    }

    private string StorePath => Path.Combine(_folder, "batchbuild.db");

    private ProjectRunOptions Options(IEnumerable<(string Name, string Value)> properties) =>
        new(
            "Shop.Tests",
            _folder,
            Assembly,
            null,
            [.. properties.Select(p => KeyValuePair.Create(p.Name, (string?)p.Value))],
            StorePath);

    private Task<ProjectRunResult> Run(
        ScriptedPlatform platform,
        CancellationToken cancellationToken,
        params (string Name, string Value)[] properties) =>
        new ProjectRun(Options(properties), _invocation, _log).RunAsync(_ => platform, cancellationToken);
}
