using BatchBuild.Core.Configuration;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using static BatchBuild.Core.Tests.Suite;

namespace BatchBuild.Core.Tests;

public class DurationEstimatorTests
{
    private static readonly DurationSettings Ninetieth = new(90, null, DefaultDurationMillis: 1000);

    private static IReadOnlyDictionary<TestKey, DurationEstimate> Estimate(
        DiscoveredTest[] tests,
        DurationRecord[] history,
        DurationSettings? settings = null) =>
        DurationEstimator.Estimate(SelectableTest.From(tests), history, settings ?? Ninetieth, Now);

    private static TestKey Key(string name) => TestKey.For(Assembly, name);

    [Test]
    public void With_no_history_every_test_gets_the_configured_default()
    {
        var estimates = Estimate(Discovered("A.a", "B.b"), []);

        Assert.That(estimates.Values, Is.All.EqualTo(new DurationEstimate(1000, EstimateOrigin.Default)));
    }

    [Test]
    public void A_recorded_test_gets_the_nearest_rank_percentile_of_its_runs()
    {
        // Ten runs 10..100: the 90th percentile by nearest rank is the 9th value, the 50th the 5th.
        var runs = Enumerable.Range(1, 10).Select(i => Record("A.a", i * 10, Now.AddMinutes(-i))).ToArray();

        Assert.That(
            Estimate(Discovered("A.a"), runs)[Key("A.a")],
            Is.EqualTo(new DurationEstimate(90, EstimateOrigin.Recorded)));
        Assert.That(
            Estimate(Discovered("A.a"), runs, Ninetieth with { Percentile = 50 })[Key("A.a")].Millis,
            Is.EqualTo(50));
        Assert.That(
            Estimate(Discovered("A.a"), runs, Ninetieth with { Percentile = 100 })[Key("A.a")].Millis,
            Is.EqualTo(100));
    }

    [Test]
    public void With_partial_history_an_unknown_test_gets_its_class_median_else_the_suite_median()
    {
        var history = History(("A.x", 100), ("A.y", 300), ("B.z", 1000), ("C.w", 50));

        var estimates = Estimate(Discovered("A.x", "A.y", "A.new", "D.new", "B.z", "C.w"), history);

        Assert.That(estimates[Key("A.new")], Is.EqualTo(new DurationEstimate(200, EstimateOrigin.ClassMedian)));
        // Suite median of 50, 100, 300, 1000 is (100 + 300) / 2.
        Assert.That(estimates[Key("D.new")], Is.EqualTo(new DurationEstimate(200, EstimateOrigin.SuiteMedian)));
        Assert.That(estimates[Key("B.z")], Is.EqualTo(new DurationEstimate(1000, EstimateOrigin.Recorded)));
    }

    [Test]
    public void History_outside_the_time_limit_does_not_count()
    {
        var history = new[]
        {
            Record("A.a", 5000, Now.AddHours(-3)),
            Record("A.a", 20, Now.AddMinutes(-30)),
            Record("B.b", 7000, Now.AddDays(-2)),
        };
        var lastHour = Ninetieth with { TimeLimit = new TimeLimit.LookBack(TimeSpan.FromHours(1)) };

        var estimates = Estimate(Discovered("A.a", "B.b"), history, lastHour);

        Assert.That(estimates[Key("A.a")], Is.EqualTo(new DurationEstimate(20, EstimateOrigin.Recorded)));
        Assert.That(estimates[Key("B.b")], Is.EqualTo(new DurationEstimate(20, EstimateOrigin.SuiteMedian)));
    }

    [Test]
    public void An_absolute_time_limit_counts_records_from_that_moment()
    {
        var history = new[] { Record("A.a", 5000, Now.AddDays(-10)), Record("A.a", 30, Now.AddDays(-1)) };
        var since = Ninetieth with { TimeLimit = new TimeLimit.Since(Now.AddDays(-5)) };

        Assert.That(Estimate(Discovered("A.a"), history, since)[Key("A.a")].Millis, Is.EqualTo(30));
    }

    [Test]
    public void Skipped_runs_do_not_make_a_test_look_fast()
    {
        var history = new[]
        {
            Record("A.a", 0, Now.AddMinutes(-1), TestRunOutcome.Skipped),
            Record("A.a", 400, Now.AddMinutes(-2), TestRunOutcome.Failed),
            Record("B.b", 0, Now.AddMinutes(-1), TestRunOutcome.None),
        };

        var estimates = Estimate(Discovered("A.a", "B.b"), history);

        Assert.That(estimates[Key("A.a")], Is.EqualTo(new DurationEstimate(400, EstimateOrigin.Recorded)));
        Assert.That(estimates[Key("B.b")].Origin, Is.EqualTo(EstimateOrigin.SuiteMedian));
    }

    [Test]
    public void History_is_shared_by_assembly_name_across_paths()
    {
        var history = new[]
        {
            new DurationRecord(TestKey.For("/agent1/bin/T.dll", "A.a"), 250, TestRunOutcome.Passed, Now),
        };

        var estimates = DurationEstimator.Estimate(
            SelectableTest.From(Discovered("/agent2/out/T.dll|A.a")),
            history,
            Ninetieth,
            Now);

        Assert.That(estimates.Single().Value, Is.EqualTo(new DurationEstimate(250, EstimateOrigin.Recorded)));
    }
}

public class StatisticsTests
{
    [TestCase(new[] { 5.0 }, 1, 5)]
    [TestCase(new[] { 5.0 }, 100, 5)]
    [TestCase(new[] { 3.0, 1, 2, 4 }, 50, 2)]
    [TestCase(new[] { 3.0, 1, 2, 4 }, 75, 3)]
    [TestCase(new[] { 3.0, 1, 2, 4 }, 75.1, 4)]
    public void Percentile_is_nearest_rank(double[] values, double percentile, double expected)
    {
        Assert.That(Statistics.Percentile(values, percentile), Is.EqualTo(expected));
    }

    [TestCase(new[] { 7.0 }, 7)]
    [TestCase(new[] { 9.0, 1, 5 }, 5)]
    [TestCase(new[] { 4.0, 1, 3, 2 }, 2.5)]
    public void Median_is_the_middle_or_the_mean_of_the_two_middles(double[] values, double expected)
    {
        Assert.That(Statistics.Median(values), Is.EqualTo(expected));
    }
}
