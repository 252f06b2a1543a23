namespace BatchBuild.Core.Durations;

/// <summary>Turns recorded start costs into the <see cref="StartCostEstimate"/> of an assembly.</summary>
public static class StartCostEstimator
{
    /// <summary>
    /// The start of a test batch when nothing is recorded or measured: about what a small test app
    /// takes to start and find its tests.
    /// </summary>
    public const double DefaultStartMillis = 1000;

    // Runs that reported less test time than this say more about noise than about r.
    private const double MinTestMillisForFactor = 200;

    // r is kept in a range a test framework can reach, so that one odd run cannot make a plan
    // absurd. The range is wide: xUnit reports theory rows that ran at once, each with its own
    // waits, so a whole Humanizer run reports about a hundred times its wall time; NUnit reports
    // markdig's tiny tests without the time the framework spends between them, a fraction of it.
    private const double MinFactor = 0.001;
    private const double MaxFactor = 50;

    /// <summary>
    /// The estimate for <paramref name="assembly"/>: the median start of its recorded test batch
    /// runs, else of its recorded listings, else <paramref name="measuredMillis"/> (this run's own
    /// discovery or listing), else <see cref="DefaultStartMillis"/>. The factor r is the median of
    /// (wall − start) / test time over recorded test batch runs that reported enough test time (and
    /// whose wall time covers their start), else 1.
    /// </summary>
    public static StartCostEstimate Estimate(
        string assembly,
        IEnumerable<StartCostRecord> history,
        double? measuredMillis)
    {
        var records = history.Where(record => record.Assembly == assembly).ToList();
        var runs = records.Where(record => record.Kind == StartCostKind.TestBatch).ToList();
        var listings = records.Where(record => record.Kind == StartCostKind.Listing).ToList();
        var factors = runs
            .Where(run => run.TestMillis >= MinTestMillisForFactor && run.WallMillis >= run.StartMillis)
            .Select(run => Math.Clamp((run.WallMillis - run.StartMillis) / run.TestMillis, MinFactor, MaxFactor))
            .ToArray();
        var factor = factors.Length == 0 ? 1 : Statistics.Median(factors);
        return runs.Count > 0
            ? new(Median(runs), factor, StartCostOrigin.TestBatches, runs.Count)
            : listings.Count > 0 ? new(Median(listings), factor, StartCostOrigin.Listings, listings.Count)
            : measuredMillis is { } measured ? new(Math.Max(0, measured), factor, StartCostOrigin.ThisRun, 0)
            : new(DefaultStartMillis, factor, StartCostOrigin.Default, 0);
    }

    private static double Median(List<StartCostRecord> records) =>
        Math.Max(0, Statistics.Median([.. records.Select(record => record.StartMillis)]));
}
