using System.Globalization;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Configuration;
using BatchBuild.Core.Planning;

namespace BatchBuild.Core.Running;

/// <summary>The lines BatchBuild writes to the build log.</summary>
public static class RunReport
{
    /// <summary>
    /// One test batch's progress line, such as
    /// <c>[12/40] Tests fixed-size 5 tests 3.2 s passed</c>.
    /// </summary>
    public static string Progress(string project, TestBatchOutcome outcome, int testBatchCount)
    {
        var batch = outcome.Batch;
        var tests = batch.Tests.Length == 1 ? "1 test" : $"{batch.Tests.Length} tests";
        var status = outcome.Status switch
        {
            TestBatchStatus.Passed => "passed",
            TestBatchStatus.Failed => $"failed ({outcome.Failed} failed)",
            _ => $"crashed ({outcome.NotRun.Length} not run)",
        };
        return string.Create(
            CultureInfo.InvariantCulture,
            $"[{batch.Index}/{testBatchCount}] {project} {batch.Strategy} {tests} "
            + $"{outcome.Elapsed.TotalSeconds:0.0} s {status}");
    }

    /// <summary>
    /// The line that says tests run again, as they are queued, such as
    /// <c>[41/40] Shop.Tests retry 1 of Checkout_with_voucher (failed in test batch 12)</c> or
    /// <c>[42/40] Shop.Tests 5 tests run again (not run in test batch 12)</c>.
    /// </summary>
    public static string RunningAgain(string project, RunAgain again, int index, int testBatchCount)
    {
        var from = again.From.Index;
        var what = again.Reason switch
        {
            RunAgainReason.Failed => $"retry {again.Run} of {again.Tests[0]} (failed in test batch {from})",
            RunAgainReason.Crashed =>
                $"retry {again.Run} of {again.Tests[0]} (its test host crashed in test batch {from})",
            RunAgainReason.TimedOut => $"retry {again.Run} of {again.Tests[0]} (timed out in test batch {from})",
            _ => $"{(again.Tests.Length == 1 ? "1 test" : $"{again.Tests.Length} tests")} run again "
                + $"(not run in test batch {from})",
        };
        return string.Create(CultureInfo.InvariantCulture, $"[{index}/{testBatchCount}] {project} {what}");
    }

    /// <summary>
    /// The summary of one project's run, such as
    /// <c>BatchBuild Tests: 40 passed, 1 failed, 0 skipped, 0 not run; 12 test batches on 2 workers in 31.2 s;
    /// batch b-1</c>;
    /// when tests ran again, how many were flaky and how many runs again there were follow the counts;
    /// with a <paramref name="predicted"/> makespan, it follows the measured one (<c>in 10.3 s, predicted 9.8 s</c>).
    /// </summary>
    public static string Summary(
        string project,
        BatchId batchId,
        RunCounts counts,
        int testBatches,
        int workers,
        TimeSpan wallTime,
        TimeSpan? predicted = null)
    {
        var again = counts.RunAgain > 0 ? $", {counts.Flaky} flaky, {counts.RunAgain} run again" : string.Empty;
        var prediction = predicted is { } span
            ? string.Create(CultureInfo.InvariantCulture, $", predicted {span.TotalSeconds:0.0} s")
            : string.Empty;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"BatchBuild {project}: {counts.Passed} passed, {counts.Failed} failed, {counts.Skipped} skipped, "
            + $"{counts.NotRun} not run{again}; {testBatches} test batches on {workers} workers "
            + $"in {wallTime.TotalSeconds:0.0} s{prediction}; batch {batchId}");
    }

    /// <summary>
    /// What the plan line says of a plan's cost, such as <c>start 1.2 s per test batch (median of 8
    /// runs), predicted 9.8 s, lower bound 8.1 s</c>; with several assemblies, each one's start.
    /// </summary>
    public static string Forecast(CostModel costs, PlanForecast forecast)
    {
        var starts = costs.Starts.Count == 1
            ? string.Create(
                CultureInfo.InvariantCulture,
                $"start {costs.Starts.Values.Single().StartMillis / 1000:0.0} s per test batch "
                + $"({costs.Starts.Values.Single().Describe()})")
            : "start per test batch " + string.Join(
                ", ",
                costs.Starts
                    .OrderBy(pair => pair.Key, StringComparer.Ordinal)
                    .Select(pair => $"{pair.Key} {pair.Value}"));
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{starts}, predicted {forecast.PredictedMillis / 1000:0.0} s, "
            + $"lower bound {forecast.LowerBoundMillis / 1000:0.0} s");
    }

    /// <summary>
    /// The BB1016 advice when <paramref name="chosen"/>, the plan of the configured strategy, is
    /// predicted to spend more time starting test batches than running tests; null when it is not,
    /// or when it is the plan of <c>Size=auto</c> itself. <paramref name="autoSize"/> forecasts the
    /// plan of <c>Size=auto</c>, only when the advice is given: cutting it costs time on a large suite.
    /// </summary>
    public static Diagnostic? StartsOutweighTests(
        string project,
        BatchingStrategySettings strategy,
        PlanForecast chosen,
        Func<PlanForecast> autoSize,
        int workers)
    {
        if (strategy.IsAutoSize || !chosen.StartExceedsTests)
        {
            return null;
        }

        var auto = autoSize();

        return Diagnostic.Warning(
            DiagnosticCodes.StartsOutweighTests,
            string.Create(
                CultureInfo.InvariantCulture,
                $"{project}: the {strategy.TypeName} plan's {chosen.TestBatches} test batches are predicted to "
                + $"spend {chosen.StartMillis / 1000:0.0} s starting, more than the "
                + $"{chosen.TestMillis / 1000:0.0} s their tests take; predicted "
                + $"{chosen.PredictedMillis / 1000:0.0} s on {workers} workers, against "
                + $"{auto.PredictedMillis / 1000:0.0} s in {auto.TestBatches} test batches with fixed-size and "
                + $"Size=auto (BatchBuildStrategy=fixed-size, BatchBuildSize=auto); the plan is kept as configured"));
    }

    /// <summary>
    /// A hint when the test batches spent much of the run before their first test (starting, and
    /// discovering every test of the assembly, whatever few they run), such as
    /// <c>BatchBuild Tests: its 8 test batches spent 33.2 s before their first tests (4.2 s each);
    /// fewer, larger test batches spend less (BatchBuildSize=auto sizes them from this cost)</c>;
    /// null when that time is under a tenth of the workers' time, or when there is no more than
    /// one run per worker to save.
    /// </summary>
    /// <param name="project">The project.</param>
    /// <param name="firstTestMillis">For each run, how long it took to its first test.</param>
    /// <param name="workers">The workers the runs shared.</param>
    /// <param name="wallTime">How long the runs took together.</param>
    public static string? StartCost(
        string project,
        IReadOnlyList<double> firstTestMillis,
        int workers,
        TimeSpan wallTime)
    {
        var spent = firstTestMillis.Sum();
        if (firstTestMillis.Count <= workers || spent < wallTime.TotalMilliseconds * workers / 10)
        {
            return null;
        }

        return string.Create(
            CultureInfo.InvariantCulture,
            $"BatchBuild {project}: its {firstTestMillis.Count} test batches spent {spent / 1000:0.0} s "
            + $"before their first tests ({spent / firstTestMillis.Count / 1000:0.0} s each); "
            + $"fewer, larger test batches spend less (BatchBuildSize=auto sizes them from this cost)");
    }
}
