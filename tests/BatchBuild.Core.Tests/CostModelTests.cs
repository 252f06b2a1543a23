using System.Collections.Immutable;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Configuration;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Planning;
using BatchBuild.Core.Running;
using static BatchBuild.Core.Tests.Suite;

namespace BatchBuild.Core.Tests;

/// <summary>
/// The start cost model: what a test batch costs before its first test, estimated from records;
/// the makespan it predicts for a plan, its lower bound; the lines and the advice it gives.
/// </summary>
public class CostModelTests
{
    [Test]
    public void The_start_is_the_median_of_recorded_test_batch_runs_else_listings_else_this_run_else_the_default()
    {
        StartCostRecord[] runs =
            [StartCostRun(1200, 3000, 1000), StartCostRun(900, 2000, 1000), StartCostRun(5000, 9000, 1000)];
        StartCostRecord[] listings = [StartCostListing(4000), StartCostListing(6000)];
        var other = new StartCostRecord("Other", StartCostKind.TestBatch, 99, 99, 0, 1, "b", Now);

        var fromRuns = StartCostEstimator.Estimate(AssemblyName, [.. runs, .. listings, other], 700);
        var fromListings = StartCostEstimator.Estimate(AssemblyName, [.. listings, other], 700);
        var fromThisRun = StartCostEstimator.Estimate(AssemblyName, [other], 700);
        var byDefault = StartCostEstimator.Estimate(AssemblyName, [other], null);

        Assert.That(
            (fromRuns.StartMillis, fromRuns.Origin, fromRuns.Describe()),
            Is.EqualTo((1200.0, StartCostOrigin.TestBatches, "median of 3 runs")));
        Assert.That(
            (fromListings.StartMillis, fromListings.Origin, fromListings.Describe()),
            Is.EqualTo((5000.0, StartCostOrigin.Listings, "median of 2 listings")));
        Assert.That(
            (fromThisRun.StartMillis, fromThisRun.Origin, fromThisRun.Describe()),
            Is.EqualTo((700.0, StartCostOrigin.ThisRun, "this run's discovery")));
        Assert.That(
            (byDefault.StartMillis, byDefault.Origin, byDefault.TestTimeFactor),
            Is.EqualTo((StartCostEstimator.DefaultStartMillis, StartCostOrigin.Default, 1.0)));
    }

    [Test]
    public void The_test_time_factor_is_the_median_wall_time_after_the_start_per_millisecond_of_tests()
    {
        // An in-process parallel suite: 4 s of reported test time in 1 s of wall time after the start.
        StartCostRecord[] runs =
        [
            StartCostRun(1000, 2000, 4000), StartCostRun(1000, 2200, 4000), StartCostRun(1000, 1800, 4000),
            StartCostRun(1000, 60_000, 10),
        ];

        var estimate = StartCostEstimator.Estimate(AssemblyName, runs, null);

        Assert.That(estimate.TestTimeFactor, Is.EqualTo(0.25).Within(1e-9), "a run with next to no tests says nothing");
        Assert.That(estimate.CostOf(8000), Is.EqualTo(1000 + 2000).Within(1e-9));
    }

    [Test]
    public void A_known_plan_is_predicted_by_taking_its_test_batches_in_order_on_the_first_free_worker()
    {
        // m = 2, h = 500: worker 1 takes 1 s and then 4 s, worker 2 takes 1 s: 1.5 + 4.5 = 6 s.
        var (plan, estimates) = Plan(1000, 1000, 4000);
        var costs = Costs(500, 1, 2);

        var forecast = costs.Forecast(plan, estimates);

        Assert.That(forecast.PredictedMillis, Is.EqualTo(6000).Within(1e-9));
        Assert.That((forecast.TestBatches, forecast.TestMillis, forecast.StartMillis), Is.EqualTo((3, 6000.0, 1500.0)));
    }

    [Test]
    public void The_lower_bound_is_the_larger_of_the_shared_work_and_the_longest_test_with_its_start()
    {
        var (plan, estimates) = Plan(1000, 1000, 4000);

        var longestBound = Costs(500, 1, 2).Forecast(plan, estimates);
        var sharedBound = Costs(500, 1, 1).Forecast(plan, estimates);
        var scaled = Costs(500, 0.5, 2).Forecast(plan, estimates);

        Assert.That(longestBound.LowerBoundMillis, Is.EqualTo(4500), "longest test + h beats (6000 + 1500) / 2");
        Assert.That(sharedBound.LowerBoundMillis, Is.EqualTo(7500), "(W + B·h) / m on one worker");
        Assert.That(
            (scaled.TestMillis, scaled.LowerBoundMillis, scaled.PredictedMillis),
            Is.EqualTo((3000.0, 2500.0, 3500.0)),
            "W counts each test batch's expected time times r");
    }

    [Test]
    public void The_plan_line_says_the_start_where_it_came_from_the_prediction_and_the_lower_bound()
    {
        var (plan, estimates) = Plan(1000, 1000, 4000);
        var costs = Costs(1234, 1, 2);

        var line = RunReport.Forecast(costs, costs.Forecast(plan, estimates));
        var summary = RunReport.Summary(
            "Shop.Tests",
            BatchId.Parse("b-1"),
            new RunCounts(3, 0, 0, 0, 0, 0),
            3,
            2,
            TimeSpan.FromSeconds(10.3),
            TimeSpan.FromSeconds(9.8));

        Assert.That(
            line,
            Is.EqualTo("start 1.2 s per test batch (median of 8 runs), predicted 7.5 s, lower bound 5.2 s"));
        Assert.That(summary, Does.Contain("on 2 workers in 10.3 s, predicted 9.8 s; batch b-1"));
    }

    [Test]
    public void Isolate_on_a_costly_start_gets_the_advice_with_both_predictions_and_keeps_its_strategy()
    {
        var (tests, durations) = AutoSizePlanTests.Uniform(40, 50);
        var costs = AutoSizePlanTests.Costs(1000, 2);
        var isolate = Settings(BatchingStrategyType.Isolate);
        var plan = BatchPlanner.Cut(tests, durations, isolate, costs);

        var advice = RunReport.StartsOutweighTests(
            "Shop.Tests",
            isolate.BatchingStrategy,
            BatchPlanner.Forecast(tests, durations, isolate, plan, costs),
            () => BatchPlanner.AutoSizeForecast(tests, durations, isolate, costs),
            2);

        Assert.That(plan, Has.Count.EqualTo(40), "the plan stays isolate");
        Assert.That(advice, Is.Not.Null);
        Assert.That((advice!.Code, advice.Severity), Is.EqualTo(("BB1016", DiagnosticSeverity.Warning)));
        Assert.That(
            advice.Message,
            Does.Contain("isolate plan's 40 test batches").And.Contain("spend 40.0 s starting")
                .And.Contain("predicted 21.0 s on 2 workers, against 2.0 s in 2 test batches with fixed-size"));
    }

    [Test]
    public void A_plan_whose_tests_outweigh_its_starts_and_an_auto_plan_get_no_advice()
    {
        var (tests, durations) = AutoSizePlanTests.Uniform(40, 100);
        var costs = AutoSizePlanTests.Costs(1000, 2);
        var large = Settings(BatchingStrategyType.FixedSize, size: 20);
        var auto = AutoSizePlanTests.AutoSize();
        var (longTests, longDurations) = AutoSizePlanTests.Uniform(40, 2000);
        var isolate = Settings(BatchingStrategyType.Isolate);

        PlanForecast Forecast(BatchBuildSettings settings, IReadOnlyList<SelectableTest> of, TestDuration[] with) =>
            BatchPlanner.Forecast(of, with, settings, BatchPlanner.Cut(of, with, settings, costs), costs);

        Assert.That(
            RunReport.StartsOutweighTests("P", large.BatchingStrategy, Forecast(large, tests, durations),
                () => throw new AssertionException("no advice, so no Size=auto plan to cut"), 2),
            Is.Null,
            "2 starts of 1 s against 4 s of tests");
        Assert.That(
            RunReport.StartsOutweighTests("P", isolate.BatchingStrategy, Forecast(isolate, longTests, longDurations),
                () => throw new AssertionException("no advice, so no Size=auto plan to cut"), 2),
            Is.Null,
            "isolate on tests that take longer than their start");
        Assert.That(
            RunReport.StartsOutweighTests("P", auto.BatchingStrategy, Forecast(auto, tests, durations),
                () => throw new AssertionException("no advice, so no Size=auto plan to cut"), 2),
            Is.Null,
            "Size=auto is the plan the advice would give");
    }

    private static CostModel Costs(double startMillis, double factor, int workers) =>
        new(
            new Dictionary<string, StartCostEstimate>
            {
                [AssemblyName] = new(startMillis, factor, StartCostOrigin.TestBatches, 8),
            },
            workers);

    // A plan of one-test batches of these expected durations, in this order.
    private static (IReadOnlyList<TestBatch> Plan, IReadOnlyDictionary<TestKey, DurationEstimate> Estimates) Plan(
        params double[] millis)
    {
        var tests = SelectableTest.From(Discovered([.. millis.Select((_, i) => $"C.T{i}")]));
        var plan = tests
            .Select((test, i) => new TestBatch(i + 1, Assembly, ImmutableArray.Create(test), millis[i], "isolate"))
            .ToList();
        var estimates = tests.Select((test, i) => (test.Key, Estimate: new DurationEstimate(millis[i],
            EstimateOrigin.Recorded))).ToDictionary(pair => pair.Key, pair => pair.Estimate);
        return (plan, estimates);
    }
}
