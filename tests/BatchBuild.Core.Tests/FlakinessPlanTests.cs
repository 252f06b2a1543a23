using BatchBuild.Core.Configuration;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Planning;
using BatchBuild.Core.Running;

namespace BatchBuild.Core.Tests;

public sealed class FlakinessPlanTests
{
    private static readonly SelectableTest[] Tests = [.. SelectableTest.From(Suite.Discovered(
        "A.Coin",
        "A.Steady",
        "B.One",
        "B.Two"))];

    // Two recorded runs each: A.Coin passed one of them, the others both.
    private static readonly IReadOnlyList<TestDuration> Recorded = DurationEstimator.Percentiles(
        [
            Suite.Record("A.Coin", 100, Suite.Now.AddHours(-2), TestRunOutcome.Failed),
            Suite.Record("A.Coin", 100, Suite.Now.AddHours(-1)),
            .. Suite.History(("A.Steady", 400), ("B.One", 200), ("B.Two", 300)),
            .. Suite.History(("A.Steady", 400), ("B.One", 200), ("B.Two", 300)),
        ],
        90,
        since: null);

    private static BatchBuildSettings Settings(
        FlakinessStrategyType flakiness,
        SortingStrategyType sorting = SortingStrategyType.ExecutionTime) =>
        Suite.Settings(BatchingStrategyType.FixedSize, size: 2) with
        {
            Flakiness = FlakinessSettings.Defaults with { Type = flakiness },
            Sorting = sorting,
        };

    [Test]
    public void A_test_with_a_recorded_half_pass_rate_is_planned_three_times_in_three_test_batches()
    {
        var plan = BatchPlanner.Plan(Tests, Recorded, Recorded, Settings(FlakinessStrategyType.Probability));

        var withCoin = plan.Where(batch => batch.Tests.Any(test => test.Id == "A.Coin")).ToList();
        Assert.That(withCoin, Has.Count.EqualTo(3), "1 - 0.5^3 = 0.875 reaches 0.8; 1 - 0.5^2 = 0.75 does not");
        Assert.That(withCoin.Select(batch => batch.Index).Distinct().Count(), Is.EqualTo(3));
        Assert.That(
            plan.SelectMany(batch => batch.Tests).Count(test => test.Id != "A.Coin"),
            Is.EqualTo(3),
            "the others once each");
        Assert.That(plan.Select(batch => batch.Index), Is.EqualTo(Enumerable.Range(1, plan.Count)));
        Assert.That(plan.Select(batch => batch.ExpectedMillis), Is.Ordered.Descending, "longest first");
    }

    [Test]
    public void Ignoring_flakiness_plans_each_test_once_as_the_strategy_cuts_it()
    {
        var settings = Settings(FlakinessStrategyType.Ignore);

        var plan = BatchPlanner.Plan(Tests, Recorded, Recorded, settings);

        static string Describe(TestBatch batch) =>
            $"{batch.Index}: {string.Join(' ', batch.Tests.Select(test => test.Id))} {batch.ExpectedMillis}";
        Assert.That(plan.Select(Describe), Is.EqualTo(BatchPlanner.Cut(Tests, Recorded, settings).Select(Describe)));
    }

    [Test]
    public void Success_rate_sorting_runs_the_least_reliable_test_first()
    {
        var plan = BatchPlanner.Plan(
            Tests,
            Recorded,
            Recorded,
            Settings(FlakinessStrategyType.Ignore, SortingStrategyType.SuccessRate));

        Assert.That(plan[0].Tests.Select(test => test.Id), Does.Contain("A.Coin"));
        Assert.That(plan[0].Index, Is.EqualTo(1));
    }

    [Test]
    public void A_killed_test_host_fails_the_tests_it_was_running_and_a_crashed_one_only_its_only_test()
    {
        var batch = new TestBatch(3, Suite.Assembly, [.. Tests], 1000, "fixed-size");
        var alone = batch with { Tests = [Tests[0]] };
        TestCaseResult[] results = [new("A.Steady", "A.Steady", TestRunOutcome.Passed, 4)];
        var running = new Dictionary<string, double> { ["A.Coin"] = 5000 };

        var timedOut = Suspects.Of(
            batch,
            results,
            runFailed: true,
            running,
            timeLimit: "no test result for longer than TestOutputTimeoutMillis=5000");
        var crashed = Suspects.Of(batch, results, runFailed: true, running, timeLimit: null);
        var crashedAlone = Suspects.Of(alone, [], runFailed: true, new Dictionary<string, double>(), timeLimit: null);
        var passed = Suspects.Of(batch, results, runFailed: false, running, timeLimit: null);

        Assert.That(timedOut.Ids, Is.EqualTo(new[] { "A.Coin" }));
        Assert.That(timedOut.Results.Single(result => result.TestId == "A.Coin"), Is.EqualTo(new TestCaseResult(
            "A.Coin",
            "A.Coin",
            TestRunOutcome.Failed,
            5000,
            "BB3011: timed out (no test result for longer than TestOutputTimeoutMillis=5000); "
            + "BatchBuild killed the test host while this test ran")));
        Assert.That(
            crashed.Ids,
            Is.Empty,
            "a crash may beat the report of a start: with other tests around, nobody is blamed");
        Assert.That(
            crashed.Probable,
            Is.EqualTo(new[] { "A.Coin" }),
            "but the test reported running is named as probable");
        Assert.That(crashedAlone.Ids, Is.EqualTo(new[] { "A.Coin" }));
        Assert.That(
            crashedAlone.Results.Single().ErrorMessage,
            Is.EqualTo("BB3010: the test host crashed while this test ran"));
        Assert.That(
            (passed.Ids, passed.Results),
            Is.EqualTo((Array.Empty<string>(), results)),
            "a run that did not fail has no suspects");
    }

    [Test]
    public void Running_again_is_announced_with_the_reason_and_the_test_batch_it_came_from()
    {
        var from = new TestBatch(12, Suite.Assembly, [.. Tests], 1000, "fixed-size");

        Assert.That(
            RunReport.RunningAgain("Shop.Tests", new RunAgain([Tests[0]], RunAgainReason.Failed, 1, from), 41, 40),
            Is.EqualTo("[41/40] Shop.Tests retry 1 of A.Coin (failed in test batch 12)"));
        Assert.That(
            RunReport.RunningAgain("Shop.Tests", new RunAgain([Tests[0]], RunAgainReason.TimedOut, 2, from), 43, 40),
            Is.EqualTo("[43/40] Shop.Tests retry 2 of A.Coin (timed out in test batch 12)"));
        Assert.That(
            RunReport.RunningAgain(
                "Shop.Tests",
                new RunAgain([.. Tests[1..]], RunAgainReason.Uncompleted, 1, from),
                42,
                40),
            Is.EqualTo("[42/40] Shop.Tests 3 tests run again (not run in test batch 12)"));
    }
}
