using System.Globalization;
using BatchBuild.Core.Configuration;
using BatchBuild.Core.Durations;

namespace BatchBuild.Core.Planning;

/// <summary>
/// Whether an assembly's plan will be one test batch of all its tests, judged before its listing
/// from what the store recorded of its last run. Such a test batch needs no list: it runs the
/// assembly whole, as a plain run does, and can run before the listing, in its place. The tests it
/// reports are checked against the last listing: when they are the same tests, by the listing's
/// <see cref="Discovery.TestListDigest"/>, no listing is needed; otherwise the listing runs after
/// it and decides what the test batch holds: results of tests it did not find are not kept, and a
/// test it found that the run did not report runs at once.
/// </summary>
public static class RunAhead
{
    /// <summary>
    /// Decides for <paramref name="assembly"/> (see <see cref="Discovery.TestKey.Assembly"/>), from
    /// <paramref name="history"/>, on <paramref name="workers"/> workers. Only <c>fixed-size</c>
    /// plans one test batch of a whole assembly, and only with no cap on its time, no last mile and
    /// no further runs of flaky tests. With a numeric <c>Size</c>, the last listing's count must fit
    /// in it. With <c>Size=auto</c>, one test batch of test time W, started at once, ends at
    /// h + r·W; a split over the m workers ends no sooner than L + h + r·W/m, after the listing L it
    /// waits for; so the assembly runs whole when r·W·(1 − 1/m) ≤ L. The last listing must have
    /// recorded the digest of its tests.
    /// </summary>
    public static RunAheadDecision Decide(
        BatchBuildSettings settings,
        string assembly,
        IReadOnlyCollection<StartCostRecord> history,
        int workers)
    {
        var strategy = settings.BatchingStrategy;
        if (strategy.Type != BatchingStrategyType.FixedSize
            || strategy.DurationMillis is not null
            || strategy.LastMileLength > 0
            || settings.Flakiness.Type != FlakinessStrategyType.Ignore)
        {
            return RunAheadDecision.Wait("only fixed-size without DurationMillis, LastMileLength or flakiness "
                + "runs an assembly whole");
        }

        var listings = history
            .Where(record => record.Assembly == assembly && record.Kind == StartCostKind.Listing)
            .ToList();
        var last = listings.MaxBy(record => record.FinishedAt);
        if (last?.ListDigest is not { } digest)
        {
            return RunAheadDecision.Wait("no listing of it is on record");
        }

        if (!strategy.IsAutoSize)
        {
            return last.Tests <= strategy.Size
                ? new(true, $"its last listing found {last.Tests} tests, within Size={strategy.Size}", digest)
                : RunAheadDecision.Wait($"its last listing found {last.Tests} tests, more than Size={strategy.Size}");
        }

        var lastRun = history
            .Where(record => record.Assembly == assembly
                && record.Kind == StartCostKind.TestBatch
                && record.BatchId == last.BatchId)
            .ToList();
        if (lastRun.Count == 0)
        {
            return RunAheadDecision.Wait("no test batch of its last run is on record");
        }

        var start = StartCostEstimator.Estimate(assembly, history, null);
        var testMillis = start.TestTimeFactor * lastRun.Sum(record => record.TestMillis);
        var listing = Statistics.Median([.. listings.Select(record => record.StartMillis)]);
        var one = start.StartMillis + testMillis;
        var split = listing + start.StartMillis + testMillis / workers;
        var predicted = string.Create(
            CultureInfo.InvariantCulture,
            $"one test batch is predicted {one / 1000:0.0} s, a split on {workers} workers at best "
            + $"{split / 1000:0.0} s after its {listing / 1000:0.0} s listing");
        return one <= split ? new(true, predicted, digest) : RunAheadDecision.Wait(predicted);
    }
}
