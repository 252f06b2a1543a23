using System.Text.RegularExpressions;

namespace BatchBuild.EndToEnd.Tests;

/// <summary>
/// Real <c>dotnet test</c> runs of the NUnit sample with the start cost model: <c>Size=auto</c>
/// records what test batches cost before their first test and plans the next run with it, and
/// the BB1016 advice comes when a plan spends more time starting test batches than running tests.
/// </summary>
public sealed class StartCostRunTests
{
    private const string NUnit = "Samples.NUnit/Samples.NUnit.csproj";
    private const int NUnitTests = 16;
    private static readonly string[] AutoSize =
        ["-p:BatchBuildStrategy=fixed-size", "-p:BatchBuildSize=auto", "-p:BatchBuildWorkers=2"];

    [Test]
    public void Size_auto_records_the_start_cost_and_a_second_run_plans_with_it()
    {
        var first = SampleRun.Start(NUnit, AutoSize);

        Assert.That(first.Command.ExitCode, Is.Zero, first.Command.ToString());
        AssertEachTestRanOnce(first);
        Assert.That(
            first.Command.Output,
            Does.Match(@"Samples\.NUnit: 16 tests in 2 test batches \(fixed-size, Size=auto\) on 2 workers; "
                + @"start \d+\.\d s per test batch \(this run's discovery\), predicted \d+\.\d s, "
                + @"lower bound \d+\.\d s; batch "),
            "a first run has no durations: one test batch per worker, and the start its discovery took");
        Assert.That(
            first.Command.Output,
            Does.Match(@"Samples\.NUnit: 16 passed, .* in \d+\.\d s, predicted \d+\.\d s"));

        var second = SampleRun.Start(NUnit, AutoSize, store: first.Store);

        Assert.That(second.Command.ExitCode, Is.Zero, second.Command.ToString());
        AssertEachTestRanOnce(second);
        Assert.That(
            second.Command.Output,
            Does.Match(@"\(fixed-size, Size=auto\) on 2 workers; start \d+\.\d s per test batch "
                + @"\((median of \d+ runs|one recorded run)\), predicted \d+\.\d s, lower bound \d+\.\d s"),
            "the second run plans with the start the first recorded");
        Assert.That(second.Command.Output, Does.Not.Contain("BB1016"), "Size=auto is the advice itself");
    }

    [Test]
    public void Isolate_on_a_start_dearer_than_the_tests_is_advised_once_and_larger_test_batches_are_not()
    {
        // The first run records the durations and the start the advice rests on.
        var first = SampleRun.Start(NUnit, AutoSize);
        Assert.That(first.Command.ExitCode, Is.Zero, first.Command.ToString());

        var isolate = SampleRun.Start(NUnit, ["-p:BatchBuildWorkers=2"], store: first.Store);
        var large = SampleRun.Start(
            NUnit,
            ["-p:BatchBuildStrategy=fixed-size", $"-p:BatchBuildSize={NUnitTests}", "-p:BatchBuildWorkers=2"],
            store: first.Store);

        Assert.That(isolate.Command.ExitCode, Is.Zero, "advice only: " + isolate.Command);
        AssertEachTestRanOnce(isolate);
        Assert.That(isolate.TestsByProcess, Has.Count.EqualTo(NUnitTests), "the strategy stays isolate");
        var advice = Regex.Matches(isolate.Command.Output, @"warning BB1016: [^\r\n]*")
            .Select(match => match.Value.Trim())
            .Distinct()
            .ToList();
        Assert.That(advice, Has.Count.EqualTo(1), isolate.Command.ToString());
        Assert.That(
            advice[0],
            Does.Match(@"Samples\.NUnit: the isolate plan's 16 test batches are predicted to spend \d+\.\d s "
                + @"starting, .* predicted \d+\.\d s on 2 workers, against \d+\.\d s in \d+ test batches with "
                + "fixed-size and Size=auto"));
        Assert.That(large.Command.ExitCode, Is.Zero, large.Command.ToString());
        Assert.That(large.Command.Output, Does.Not.Contain("BB1016"), "one start against every test's time");
    }

    [Test]
    public void A_plan_of_one_test_batch_runs_the_assembly_in_place_of_discovery_once_a_listing_is_on_record()
    {
        string[] one = ["-v:n", "-p:BatchBuildStrategy=fixed-size", "-p:BatchBuildSize=100", "-p:BatchBuildWorkers=1"];

        var first = SampleRun.Start(NUnit, one);
        var second = SampleRun.Start(NUnit, one, store: first.Store);

        Assert.That(first.Command.ExitCode, Is.Zero, first.Command.ToString());
        Assert.That(second.Command.ExitCode, Is.Zero, second.Command.ToString());
        AssertEachTestRanOnce(first);
        AssertEachTestRanOnce(second);
        Assert.That(first.Command.Output, Does.Not.Contain("runs before discovery"), "nothing is on record yet");
        Assert.That(
            second.Command.Output,
            Does.Contain("Samples.NUnit: every test runs before discovery: its last listing found 16 tests, "
                + "within Size=100"));
        Assert.That(
            second.Command.Output,
            Does.Contain("Samples.NUnit: the run reported the 16 tests of the last listing: no discovery"));
        Assert.That(second.TestsByProcess, Has.Count.EqualTo(1), "one test host ran them all");
    }

    private static void AssertEachTestRanOnce(SampleRun run)
    {
        Assert.That(run.Records, Has.Count.EqualTo(NUnitTests), run.Command.ToString());
        Assert.That(run.Records.Select(r => r.Test), Is.Unique);
    }
}
