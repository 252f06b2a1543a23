using System.Collections.Immutable;
using BatchBuild.Core.Configuration;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Strategies;

namespace BatchBuild.Core.Planning;

/// <summary>
/// Cuts the plan of <c>Size=auto</c>: a few candidate cuts around the test batch length √(W·h/m)
/// of each assembly (W its tests' expected time, h its start, m the workers), of equal test
/// batches and of test batches that shrink towards the end (factoring), each simulated on the
/// <see cref="CostModel"/>; the one with the least predicted makespan plus tail wins. Without
/// recorded durations every test has the same guessed duration, and the plan is one test batch
/// per worker.
/// </summary>
internal static class AutoSizeCutter
{
    // Multiples of √(W·h/m) the candidates aim at: around the model's optimum, for what it misses.
    private static readonly double[] Around = [0.5, 1, 2];

    /// <summary>The best candidate cut of <paramref name="tests"/> under <paramref name="costs"/>.</summary>
    public static ImmutableArray<TestBatch> Cut(
        IReadOnlyList<SelectableTest> tests,
        IReadOnlyDictionary<TestKey, DurationEstimate> estimates,
        BatchingStrategySettings settings,
        CostModel costs)
    {
        var cap = settings.DurationMillis is { } millis ? millis : double.PositiveInfinity;
        var m = costs.Workers;
        var sources = tests
            .GroupBy(test => test.Source, StringComparer.Ordinal)
            .ToDictionary(
                group => group.Key,
                group => Describe(group.Key, [.. group.Select(test => estimates[test.Key])], costs),
                StringComparer.Ordinal);

        // An assembly with no recorded duration is cut by count, one test batch per worker: its
        // times are guesses, and, as for fixed-size, a guess does not count against the cap.
        AutoSizeRule PerWorker(string source) => AutoSizeRule.Equal(
            Math.Min(m, sources[source].Tests),
            sources[source].Guessed ? double.PositiveInfinity : cap);
        var candidates = new List<Func<string, AutoSizeRule>> { PerWorker };
        foreach (var around in Around)
        {
            candidates.Add(source => sources[source] is { Guessed: false } one
                ? AutoSizeRule.Equal(RoundToWorkers(one.Tests, one.OptimalBatches / around, m), cap)
                : PerWorker(source));
        }

        // Factoring: each test batch takes the work left over 2·m, so that the first are large and an
        // estimate that is off early can still be evened out by the short ones at the end.
        foreach (var floor in Around)
        {
            candidates.Add(source => sources[source] is { Guessed: false } one
                ? AutoSizeRule.Factoring(2 * m, floor * one.OptimalMillis, cap)
                : PerWorker(source));
        }

        ImmutableArray<TestBatch> best = [];
        var bestRisk = double.PositiveInfinity;
        foreach (var candidate in candidates)
        {
            var plan = TestBatchCutter.Cut(
                new TestQueue(tests, estimates),
                new AutoSizeBatchingStrategy(candidate, settings.LastMileLength));
            var risk = costs.Forecast(plan, estimates).RiskMillis;
            if (risk < bestRisk)
            {
                (best, bestRisk) = (plan, risk);
            }
        }

        return best;
    }

    // An assembly's tests as the candidates see them: d* in expected milliseconds, and the
    // number of test batches of that length.
    private static Source Describe(string source, DurationEstimate[] expected, CostModel costs)
    {
        var start = costs.StartOf(source);
        var total = expected.Sum(estimate => estimate.Millis);
        var optimal = Math.Sqrt(start.TestTimeFactor * total * start.StartMillis / costs.Workers)
            / start.TestTimeFactor;
        var batches = optimal > 0 ? total / optimal : expected.Length;
        return new Source(
            expected.Length,
            expected.All(estimate => estimate.Origin == EstimateOrigin.Default),
            optimal,
            batches);
    }

    // About `batches` test batches, a multiple of the workers so that they come out even, and no
    // more than there are tests.
    private static int RoundToWorkers(int tests, double batches, int workers)
    {
        var rounded = workers * Math.Max(1, (int)Math.Round(batches / workers, MidpointRounding.AwayFromZero));
        return Math.Clamp(rounded, 1, Math.Max(1, tests));
    }

    private sealed record Source(int Tests, bool Guessed, double OptimalMillis, double OptimalBatches);
}
