using BatchBuild.Core.Batches;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Planning;
using BatchBuild.Core.Running;
using BatchBuild.Core.Store;

namespace BatchBuild.Core.Tests;

public sealed class TestBatchOutcomeTests
{
    private static readonly TestBatch Batch =
        new(3, Suite.Assembly, SelectableTest.From(Suite.Discovered("A.One", "A.Rows", "A.Two")), 300, "fixed-size");

    // Tests known by name have their name as ID.
    private static TestCaseResult Result(
        string id,
        TestRunOutcome outcome,
        double millis = 10,
        string? display = null) =>
        new(id, display ?? id, outcome, millis);

    private static TestBatchResult FileResult(
        string name,
        TestRunOutcome outcome,
        double millis = 10,
        string? display = null) =>
        new(name, display ?? name, outcome, millis);

    [Test]
    public void Every_test_passed_is_a_passed_test_batch()
    {
        var outcome = TestBatchOutcome.Judge(
            Batch,
            [
                Result("A.One", TestRunOutcome.Passed),
                Result("A.Rows", TestRunOutcome.Passed),
                Result("A.Rows", TestRunOutcome.Passed),
                Result("A.Two", TestRunOutcome.Skipped),
            ],
            runFailed: false,
            TimeSpan.FromSeconds(1));

        Assert.That(outcome.Status, Is.EqualTo(TestBatchStatus.Passed));
        Assert.That((outcome.Passed, outcome.Failed, outcome.Skipped), Is.EqualTo((2, 0, 1)));
        Assert.That(outcome.NotRun, Is.Empty);
    }

    [Test]
    public void One_failed_data_row_fails_its_test()
    {
        var outcome = TestBatchOutcome.Judge(
            Batch,
            [
                Result("A.One", TestRunOutcome.Passed),
                Result("A.Rows", TestRunOutcome.Passed),
                Result("A.Rows", TestRunOutcome.Failed),
                Result("A.Two", TestRunOutcome.Passed),
            ],
            runFailed: true,
            TimeSpan.FromSeconds(1));

        Assert.That(outcome.Status, Is.EqualTo(TestBatchStatus.Failed));
        Assert.That(outcome.FailedTests, Is.EqualTo(new[] { "A.Rows" }));
        Assert.That((outcome.Passed, outcome.Failed), Is.EqualTo((2, 1)));
    }

    [Test]
    public void Tests_without_a_result_mean_the_test_host_crashed()
    {
        var outcome = TestBatchOutcome.Judge(
            Batch,
            [Result("A.One", TestRunOutcome.Passed)],
            runFailed: true,
            TimeSpan.FromSeconds(1));

        Assert.That(outcome.Status, Is.EqualTo(TestBatchStatus.Crashed));
        Assert.That(outcome.NotRun, Is.EqualTo(new[] { "A.Rows", "A.Two" }));
    }

    [Test]
    public void No_results_means_nothing_ran()
    {
        var outcome = TestBatchOutcome.Judge(Batch, [], runFailed: false, TimeSpan.Zero);

        Assert.That(outcome.Status, Is.EqualTo(TestBatchStatus.Crashed));
        Assert.That(outcome.NotRun, Has.Length.EqualTo(3));
    }

    [Test]
    public void A_failed_run_without_a_failed_test_is_not_called_passed()
    {
        var all = Batch.Tests.Select(t => Result(t.Id, TestRunOutcome.Passed)).ToList();

        var outcome = TestBatchOutcome.Judge(Batch, all, runFailed: true, TimeSpan.Zero);

        Assert.That(outcome.Status, Is.EqualTo(TestBatchStatus.Crashed));
        Assert.That(outcome.NotRun, Is.Empty);
    }

    [Test]
    public void Results_of_tests_that_were_not_planned_are_named()
    {
        var all = Batch.Tests.Select(t => Result(t.Id, TestRunOutcome.Passed))
            .Append(Result("B.Stray", TestRunOutcome.Passed))
            .ToList();

        var outcome = TestBatchOutcome.Judge(Batch, all, runFailed: false, TimeSpan.Zero);

        Assert.That(outcome.Unplanned, Is.EqualTo(new[] { "B.Stray" }));
        Assert.That(outcome.Status, Is.EqualTo(TestBatchStatus.Passed));
    }

    [Test]
    public void Progress_and_summary_lines_say_what_happened()
    {
        var failed = TestBatchOutcome.Judge(
            Batch,
            [
                Result("A.One", TestRunOutcome.Passed),
                Result("A.Rows", TestRunOutcome.Failed),
                Result("A.Two", TestRunOutcome.Passed),
            ],
            runFailed: true,
            TimeSpan.FromMilliseconds(2340));
        var crashed = TestBatchOutcome.Judge(
            Batch with { Index = 4 },
            [],
            runFailed: true,
            TimeSpan.FromMilliseconds(500));

        Assert.That(
            RunReport.Progress("Tests", failed, 4),
            Is.EqualTo("[3/4] Tests fixed-size 3 tests 2.3 s failed (1 failed)"));
        Assert.That(
            RunReport.Progress("Tests", crashed, 4),
            Is.EqualTo("[4/4] Tests fixed-size 3 tests 0.5 s crashed (3 not run)"));
        Assert.That(
            RunReport.Summary(
                "Tests",
                BatchId.Parse("b-1"),
                new RunCounts(2, 1, 0, 3, 0, 0),
                2,
                2,
                TimeSpan.FromSeconds(3)),
            Is.EqualTo(
                "BatchBuild Tests: 2 passed, 1 failed, 0 skipped, 3 not run; 2 test batches on 2 workers in 3.0 s; "
                + "batch b-1"));
        Assert.That(
            RunReport.Summary(
                "Tests",
                BatchId.Parse("b-1"),
                new RunCounts(3, 0, 0, 0, 1, 2),
                4,
                2,
                TimeSpan.FromSeconds(3)),
            Is.EqualTo(
                "BatchBuild Tests: 3 passed, 0 failed, 0 skipped, 0 not run, 1 flaky, 2 run again; "
                + "4 test batches on 2 workers in 3.0 s; batch b-1"));
    }

    [Test]
    public void Runs_that_spend_much_of_the_run_before_their_first_test_get_a_hint_to_cut_fewer_test_batches()
    {
        double[] eight = [4000, 4200, 4100, 4300, 4000, 4200, 4100, 4300];

        Assert.That(
            RunReport.StartCost("Tests", eight, workers: 2, TimeSpan.FromSeconds(60)),
            Is.EqualTo(
                "BatchBuild Tests: its 8 test batches spent 33.2 s before their first tests (4.2 s each); "
                + "fewer, larger test batches spend less (BatchBuildSize=auto sizes them from this cost)"));
        Assert.That(
            RunReport.StartCost("Tests", eight[..2], workers: 2, TimeSpan.FromSeconds(60)),
            Is.Null,
            "one run per worker: nothing to save");
        Assert.That(
            RunReport.StartCost(
                "Tests",
                [.. eight.Select(millis => millis / 10)],
                workers: 2,
                TimeSpan.FromSeconds(60)),
            Is.Null,
            "3.3 s of 120 s of the workers' time");
        Assert.That(
            RunReport.StartCost("Tests", [], workers: 2, TimeSpan.FromSeconds(60)),
            Is.Null,
            "a host that does not tell");
    }

    [Test]
    public void Results_file_round_trips_and_adds_up_data_rows_per_test()
    {
        var results = new TestBatchResults("b-1", 3, Suite.Assembly, Recorded: false, "BB2001: store down",
        [
            FileResult("A.Rows", TestRunOutcome.Passed, 40, "Rows(1)"),
            FileResult("A.Rows", TestRunOutcome.Failed, 60, "Rows(2)"),
            FileResult("A.One", TestRunOutcome.Skipped, 0),
        ], "attempt-7");
        var at = Suite.Now;

        var read = TestBatchResults.FromJson(results.ToJson());
        var perTest = read.PerTest(BatchId.Parse("b-1"), at, "agent-1");

        Assert.That(read.Tests, Is.EqualTo(results.Tests));
        Assert.That((read.Recorded, read.RecordError), Is.EqualTo((false, "BB2001: store down")));
        Assert.That(perTest, Has.Count.EqualTo(2));
        var rows = perTest.Single(r => r.Test.FullyQualifiedName == "A.Rows");
        Assert.That(
            (rows.Outcome, rows.DurationMillis, rows.TestBatch, rows.Agent, rows.Attempt),
            Is.EqualTo((TestRunOutcome.Failed, 100.0, 3, "agent-1", "attempt-7")));
        Assert.That(rows.Test, Is.EqualTo(TestKey.For(Suite.Assembly, "A.Rows")));
    }

    [Test]
    public void Records_add_up_the_results_of_a_test_and_leave_out_unplanned_ones()
    {
        var records = TestCaseResult.Records(
            Batch,
            [
                Result("A.Rows", TestRunOutcome.Passed, 40),
                Result("A.Rows", TestRunOutcome.Failed, 60) with { ErrorMessage = "boom" },
                Result("B.Stray", TestRunOutcome.Passed),
            ],
            BatchId.Parse("b-1"),
            Suite.Now,
            "agent-1",
            "attempt-7");

        var rows = records.Single();
        Assert.That(
            (rows.Test, rows.Outcome, rows.DurationMillis, rows.ErrorMessage, rows.TestBatch),
            Is.EqualTo((TestKey.For(Suite.Assembly, "A.Rows"), TestRunOutcome.Failed, 100.0, "boom", 3)));
    }

    [Test]
    public void A_results_file_that_is_not_JSON_is_refused()
    {
        Assert.Throws<System.Text.Json.JsonException>(() => TestBatchResults.FromJson("{ not json"));
    }
}

public sealed class SelectableTestTests
{
    private static DiscoveredTest Case(string id, string name, string display) =>
        new(Suite.Assembly, name, "Ns.C", display, [], id);

    [Test]
    public void Cases_with_their_own_IDs_are_separate_tests_and_cases_that_share_one_run_together()
    {
        var tests = SelectableTest.From(
        [
            Case("1", "Ns.C.Theory", "Ns.C.Theory(x: 1)"),
            Case("2", "Ns.C.Theory", "Ns.C.Theory(x: 2)"),
            Case("3", "Ns.C.Same(\"a\")", "Same(\"a\")"),
            Case("3", "Ns.C.Same(\"a\")", "Same(\"a\")"),
            Case("4", "Ns.C.Plain", "Plain"),
        ]);

        Assert.That(tests.Select(t => (t.Id, t.Key.FullyQualifiedName)), Is.EqualTo(new[]
        {
            ("4", "Ns.C.Plain"),
            ("3", "Ns.C.Same(\"a\")"),
            ("1", "Ns.C.Theory [Ns.C.Theory(x: 1)]"),
            ("2", "Ns.C.Theory [Ns.C.Theory(x: 2)]"),
        }));
        Assert.That(
            tests.Single(t => t.Id == "3").Cases,
            Has.Length.EqualTo(1),
            "cases that share an ID and a name are one test");
        Assert.That(
            tests.Where(t => t.NameKey is not null).Select(t => t.NameKey!.Value),
            Is.All.EqualTo(TestKey.For(Suite.Assembly, "Ns.C.Theory")));
        Assert.That(
            tests.Single(t => t.Id == "4").HistoryKeys,
            Is.EqualTo(new[] { TestKey.For(Suite.Assembly, "Ns.C.Plain") }));
    }

    [Test]
    public void Cases_with_the_same_name_and_display_name_get_ordinals_by_ID()
    {
        var tests = SelectableTest.From([Case("b", "Ns.C.Row", "Row"), Case("a", "Ns.C.Row", "Row")]);

        Assert.That(
            tests.Select(t => (t.Id, t.Key.FullyQualifiedName)),
            Is.EqualTo(new[] { ("a", "Ns.C.Row [Row] #1"), ("b", "Ns.C.Row [Row] #2") }));
    }

    [Test]
    public void Rows_recorded_together_under_their_name_share_that_duration_until_they_have_their_own()
    {
        var tests = SelectableTest.From([Case("1", "Ns.C.Theory", "T(1)"), Case("2", "Ns.C.Theory", "T(2)"), Case(
            "3",
            "Ns.C.Other",
            "Other")]);
        var recorded = new[]
        {
            new TestDuration(TestKey.For(Suite.Assembly, "Ns.C.Theory"), 300, 1),
            new TestDuration(TestKey.For(Suite.Assembly, "Ns.C.Theory [T(2)]"), 50, 1),
        };

        var estimates = DurationEstimator.Estimate(tests, recorded, 999);

        Assert.That(
            estimates[TestKey.For(Suite.Assembly, "Ns.C.Theory [T(1)]")],
            Is.EqualTo(new DurationEstimate(150, EstimateOrigin.Recorded)));
        Assert.That(
            estimates[TestKey.For(Suite.Assembly, "Ns.C.Theory [T(2)]")],
            Is.EqualTo(new DurationEstimate(50, EstimateOrigin.Recorded)));
    }
}
