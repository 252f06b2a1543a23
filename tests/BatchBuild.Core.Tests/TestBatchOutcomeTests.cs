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

    private static TestBatchResult Result(string name, TestRunOutcome outcome, double millis = 10, string? display = null) =>
        new(name, display ?? name, outcome, millis);

    [Test]
    public void Every_test_passed_is_a_passed_test_batch()
    {
        var outcome = TestBatchOutcome.Judge(
            Batch,
            [Result("A.One", TestRunOutcome.Passed), Result("A.Rows", TestRunOutcome.Passed), Result("A.Rows", TestRunOutcome.Passed), Result("A.Two", TestRunOutcome.Skipped)],
            exitCode: 0,
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
            [Result("A.One", TestRunOutcome.Passed), Result("A.Rows", TestRunOutcome.Passed), Result("A.Rows", TestRunOutcome.Failed), Result("A.Two", TestRunOutcome.Passed)],
            exitCode: 1,
            TimeSpan.FromSeconds(1));

        Assert.That(outcome.Status, Is.EqualTo(TestBatchStatus.Failed));
        Assert.That(outcome.FailedTests, Is.EqualTo(new[] { "A.Rows" }));
        Assert.That((outcome.Passed, outcome.Failed), Is.EqualTo((2, 1)));
    }

    [Test]
    public void Tests_without_a_result_mean_the_test_host_crashed()
    {
        var outcome = TestBatchOutcome.Judge(Batch, [Result("A.One", TestRunOutcome.Passed)], exitCode: 1, TimeSpan.FromSeconds(1));

        Assert.That(outcome.Status, Is.EqualTo(TestBatchStatus.Crashed));
        Assert.That(outcome.NotRun, Is.EqualTo(new[] { "A.Rows", "A.Two" }));
    }

    [Test]
    public void No_results_file_means_nothing_ran()
    {
        var outcome = TestBatchOutcome.Judge(Batch, null, exitCode: 0, TimeSpan.Zero);

        Assert.That(outcome.Status, Is.EqualTo(TestBatchStatus.Crashed));
        Assert.That(outcome.NotRun, Has.Length.EqualTo(3));
    }

    [Test]
    public void A_failed_run_without_a_failed_test_is_not_called_passed()
    {
        var all = Batch.Tests.Select(t => Result(t.FullyQualifiedName, TestRunOutcome.Passed)).ToList();

        var outcome = TestBatchOutcome.Judge(Batch, all, exitCode: 1, TimeSpan.Zero);

        Assert.That(outcome.Status, Is.EqualTo(TestBatchStatus.Crashed));
        Assert.That(outcome.NotRun, Is.Empty);
    }

    [Test]
    public void Results_of_tests_that_were_not_planned_are_named()
    {
        var all = Batch.Tests.Select(t => Result(t.FullyQualifiedName, TestRunOutcome.Passed)).Append(Result("B.Stray", TestRunOutcome.Passed)).ToList();

        var outcome = TestBatchOutcome.Judge(Batch, all, exitCode: 0, TimeSpan.Zero);

        Assert.That(outcome.Unplanned, Is.EqualTo(new[] { "B.Stray" }));
        Assert.That(outcome.Status, Is.EqualTo(TestBatchStatus.Passed));
    }

    [Test]
    public void Progress_and_summary_lines_say_what_happened()
    {
        var failed = TestBatchOutcome.Judge(
            Batch,
            [Result("A.One", TestRunOutcome.Passed), Result("A.Rows", TestRunOutcome.Failed), Result("A.Two", TestRunOutcome.Passed)],
            exitCode: 1,
            TimeSpan.FromMilliseconds(2340));
        var crashed = TestBatchOutcome.Judge(Batch with { Index = 4 }, [], exitCode: 1, TimeSpan.FromMilliseconds(500));

        Assert.That(RunReport.Progress("Tests", failed, 4), Is.EqualTo("[3/4] Tests fixed-size 3 tests 2.3 s failed (1 failed)"));
        Assert.That(RunReport.Progress("Tests", crashed, 4), Is.EqualTo("[4/4] Tests fixed-size 3 tests 0.5 s crashed (3 not run)"));
        Assert.That(
            RunReport.Summary("Tests", BatchId.Parse("b-1"), [failed, crashed], 2, TimeSpan.FromSeconds(3)),
            Is.EqualTo("BatchBuild Tests: 2 passed, 1 failed, 0 skipped, 3 not run; 2 test batches on 2 workers in 3.0 s; batch b-1"));
    }

    [Test]
    public void Results_file_round_trips_and_adds_up_data_rows_per_test()
    {
        var results = new TestBatchResults("b-1", 3, Suite.Assembly, Recorded: false, "BB2001: store down",
        [
            Result("A.Rows", TestRunOutcome.Passed, 40, "Rows(1)"),
            Result("A.Rows", TestRunOutcome.Failed, 60, "Rows(2)"),
            Result("A.One", TestRunOutcome.Skipped, 0),
        ], "attempt-7");
        var at = Suite.Now;

        var read = TestBatchResults.FromJson(results.ToJson());
        var perTest = read.PerTest(BatchId.Parse("b-1"), at, "agent-1");

        Assert.That(read.Tests, Is.EqualTo(results.Tests));
        Assert.That((read.Recorded, read.RecordError), Is.EqualTo((false, "BB2001: store down")));
        Assert.That(perTest, Has.Count.EqualTo(2));
        var rows = perTest.Single(r => r.Test.FullyQualifiedName == "A.Rows");
        Assert.That((rows.Outcome, rows.DurationMillis, rows.TestBatch, rows.Agent, rows.Attempt), Is.EqualTo((TestRunOutcome.Failed, 100.0, 3, "agent-1", "attempt-7")));
        Assert.That(rows.Test, Is.EqualTo(TestKey.For(Suite.Assembly, "A.Rows")));
    }

    [Test]
    public void A_results_file_that_is_not_JSON_is_refused()
    {
        Assert.Throws<System.Text.Json.JsonException>(() => TestBatchResults.FromJson("{ not json"));
    }
}
