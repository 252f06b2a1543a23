using BatchBuild.Core.Configuration;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Planning;
using static BatchBuild.Core.Tests.Suite;

namespace BatchBuild.Core.Tests;

/// <summary>
/// <c>fixed-size</c> with <c>Size=auto</c>: the test batches that minimise the predicted makespan
/// for the start cost and the workers at hand.
/// </summary>
public class AutoSizePlanTests
{
    [TestCase(2)]
    [TestCase(4)]
    public void A_start_dearer_than_the_tests_gives_one_test_batch_per_worker(int workers)
    {
        // W = 10 s, h = 3 s: past W/(2m), a second test batch per worker costs more start than the
        // tail it saves (T(d) = W/m + W·h/(d·m) + d); equal shares, one per worker, end together.
        var (tests, durations) = Uniform(100, 100);

        var plan = BatchPlanner.Cut(tests, durations, AutoSize(), Costs(3000, workers));

        Assert.That(plan, Has.Count.EqualTo(workers));
        Assert.That(plan.Select(batch => batch.Tests.Length), Has.All.EqualTo(100 / workers));
    }

    [Test]
    public void Long_tests_and_a_short_start_give_about_as_many_test_batches_as_the_model_wants()
    {
        // W = 100 s, h = 1 s, m = 2: d* = √(100·1/2) ≈ 7.1 s, so about 14 test batches of equal
        // length; shrinking ones do better on the tail, and the plan lies in between.
        var (tests, durations) = Uniform(100, 1000);

        var plan = BatchPlanner.Cut(tests, durations, AutoSize(), Costs(1000, 2));

        Assert.That(plan, Has.Count.InRange(6, 20));
        Assert.That(plan.Sum(batch => batch.Tests.Length), Is.EqualTo(100), "each test once");
        var forecast = BatchPlanner.Forecast(tests, durations, AutoSize(), plan, Costs(1000, 2));
        var optimum = 100_000 / 2.0 + 2 * Math.Sqrt(100_000 * 1000 / 2.0);
        Assert.That(forecast.PredictedMillis, Is.LessThanOrEqualTo(optimum), "no worse than T* of equal test batches");
    }

    [Test]
    public void A_free_start_gives_more_test_batches_than_a_dear_one()
    {
        var (tests, durations) = Uniform(100, 1000);

        var cheap = BatchPlanner.Cut(tests, durations, AutoSize(), Costs(50, 2));
        var dear = BatchPlanner.Cut(tests, durations, AutoSize(), Costs(5000, 2));

        Assert.That(cheap.Count, Is.GreaterThan(dear.Count));
    }

    [Test]
    public void Test_batches_shrink_towards_the_end_of_the_run()
    {
        var (tests, durations) = Uniform(200, 500);

        var plan = BatchPlanner.Cut(tests, durations, AutoSize(), Costs(500, 2));

        Assert.That(plan, Has.Count.GreaterThan(4));
        var expected = plan.Select(batch => batch.ExpectedMillis).ToList();
        Assert.That(expected[^1], Is.LessThan(expected[0]), string.Join(", ", expected));
        Assert.That(expected, Is.Ordered.Descending, "each no longer than the one before");
    }

    [Test]
    public void The_duration_cap_and_the_last_mile_still_bound_the_test_batches()
    {
        var (tests, durations) = Uniform(60, 1000);

        var capped = BatchPlanner.Cut(tests, durations, AutoSize(durationMillis: 3000), Costs(1000, 2));
        var lastMile = BatchPlanner.Cut(tests, durations, AutoSize(lastMileLength: 5), Costs(1000, 2));

        Assert.That(capped.Select(batch => batch.ExpectedMillis), Has.All.LessThanOrEqualTo(3000));
        var left = 60;
        foreach (var batch in lastMile)
        {
            Assert.That(batch.Tests.Length, left < 5 ? Is.EqualTo(1) : Is.GreaterThan(0), $"{left} tests left");
            left -= batch.Tests.Length;
        }

        Assert.That(left, Is.Zero);
        Assert.That(lastMile[^1].Tests.Length, Is.EqualTo(1));
    }

    [Test]
    public void A_test_longer_than_the_cap_runs_alone()
    {
        var tests = SelectableTest.From(Discovered("C.Long", "C.A", "C.B", "C.C"));
        TestDuration[] durations = [Duration("C.Long", 9000), Duration("C.A", 500), Duration("C.B", 500),
            Duration("C.C", 500)];

        var plan = BatchPlanner.Cut(tests, durations, AutoSize(durationMillis: 2000), Costs(100, 2));

        Assert.That(Names(plan)[0], Is.EqualTo(new[] { "C.Long" }));
        Assert.That(plan.Skip(1).Select(batch => batch.ExpectedMillis), Has.All.LessThanOrEqualTo(2000));
    }

    [Test]
    public void Without_recorded_durations_each_worker_gets_one_test_batch_whatever_the_cap()
    {
        var tests = SelectableTest.From(Discovered([.. Enumerable.Range(1, 10).Select(i => $"C.T{i:D2}")]));

        var plan = BatchPlanner.Cut(tests, [], AutoSize(durationMillis: 1), Costs(1000, 3));

        Assert.That(plan.Select(batch => batch.Tests.Length).Order(), Is.EqualTo(new[] { 3, 3, 4 }));
    }

    [Test]
    public void Test_batches_never_mix_assemblies()
    {
        var names = Enumerable.Range(1, 30)
            .SelectMany(i => new[] { $"/a/One.dll|C.T{i:D2}", $"/b/Two.dll|C.T{i:D2}" });
        var tests = SelectableTest.From(Discovered([.. names]));
        var durations = tests.Select(test => new TestDuration(test.Key, 700, 1)).ToList();

        var plan = BatchPlanner.Cut(tests, durations, AutoSize(), Costs(300, 2));

        Assert.That(
            plan.Select(batch => batch.Tests.Select(test => test.Source).Distinct().Count()),
            Has.All.EqualTo(1));
        Assert.That(plan.Sum(batch => batch.Tests.Length), Is.EqualTo(60));
        Assert.That(plan.Select(batch => batch.Source).Distinct().Count(), Is.EqualTo(2));
    }

    [Test]
    public void Without_recorded_start_costs_the_start_measured_in_this_run_is_used()
    {
        var (tests, durations) = Uniform(100, 1000);

        var measuredCheap = CostModel.From([TestKey.AssemblyNameOf(Assembly)], [], 50, 2);
        var measuredDear = CostModel.From([TestKey.AssemblyNameOf(Assembly)], [], 5000, 2);

        Assert.That(
            (measuredCheap.StartOf(Assembly).StartMillis, measuredCheap.StartOf(Assembly).Origin),
            Is.EqualTo((50.0, StartCostOrigin.ThisRun)));
        Assert.That(
            BatchPlanner.Cut(tests, durations, AutoSize(), measuredCheap).Count,
            Is.GreaterThan(BatchPlanner.Cut(tests, durations, AutoSize(), measuredDear).Count),
            "the plan follows the measured start");
    }

    [Test]
    public void Every_test_lands_in_exactly_one_test_batch_of_an_auto_plan_with_skewed_durations()
    {
        var random = new Random(7);
        var tests = SelectableTest.From(Discovered([.. Enumerable.Range(1, 300).Select(i => $"C{i % 9}.T{i:D3}")]));
        var durations = tests.Select(test => new TestDuration(test.Key, Math.Pow(random.NextDouble(), 4) * 20_000, 3))
            .ToList();

        foreach (var workers in new[] { 1, 2, 4, 7 })
        {
            var plan = BatchPlanner.Cut(tests, durations, AutoSize(), Costs(800, workers));

            Assert.That(
                plan.SelectMany(batch => batch.Tests).Select(test => test.Id).Order(),
                Is.EqualTo(tests.Select(test => test.Id).Order()),
                $"{workers} workers");
            var forecast = BatchPlanner.Forecast(tests, durations, AutoSize(), plan, Costs(800, workers));
            Assert.That(forecast.PredictedMillis, Is.GreaterThanOrEqualTo(forecast.LowerBoundMillis - 1e-6));
        }
    }

    internal static BatchBuildSettings AutoSize(long? durationMillis = null, int lastMileLength = 0)
    {
        var settings = Settings(BatchingStrategyType.FixedSize, durationMillis: durationMillis,
            lastMileLength: lastMileLength);
        return settings with { BatchingStrategy = settings.BatchingStrategy with { AutoSize = true } };
    }

    internal static CostModel Costs(double startMillis, int workers) =>
        new(
            new Dictionary<string, StartCostEstimate>
            {
                [TestKey.AssemblyNameOf(Assembly)] = new(startMillis, 1, StartCostOrigin.TestBatches, 8),
            },
            workers,
            new StartCostEstimate(startMillis, 1, StartCostOrigin.TestBatches, 8));

    internal static (IReadOnlyList<SelectableTest> Tests, TestDuration[] Durations) Uniform(int count, double millis)
    {
        var names = Enumerable.Range(1, count).Select(i => $"C{i % 5}.T{i:D3}").ToArray();
        return (SelectableTest.From(Discovered(names)), [.. names.Select(name => Duration(name, millis))]);
    }

    internal static TestDuration Duration(string name, double millis) =>
        new(TestKey.For(Assembly, name), millis, 1);
}
