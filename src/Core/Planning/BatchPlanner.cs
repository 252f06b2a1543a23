using BatchBuild.Core.Configuration;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Strategies;

namespace BatchBuild.Core.Planning;

/// <summary>Turns discovered tests and recorded durations into the test batches of a run.</summary>
public static class BatchPlanner
{
    /// <summary>
    /// Groups the discovered tests into selectable tests, estimates their durations from
    /// <paramref name="history"/>, sorts them longest first and cuts them into test batches with
    /// the configured strategy, numbered from 1.
    /// </summary>
    public static IReadOnlyList<TestBatch> Cut(
        IEnumerable<DiscoveredTest> discovered,
        IEnumerable<DurationRecord> history,
        BatchBuildSettings settings,
        DateTimeOffset now,
        CostModel? costs = null)
    {
        var tests = SelectableTest.From(discovered);
        var estimates = DurationEstimator.Estimate(tests, history, settings.Durations, now);
        return Cut(tests, estimates, settings, costs);
    }

    /// <summary>
    /// The test batches of the discovered tests, estimated from the recorded
    /// <paramref name="durations"/> a store answered a <see cref="DurationQuery"/> with. With
    /// <c>Size=auto</c>, <paramref name="costs"/> sizes them (one worker with the default start when null).
    /// </summary>
    public static IReadOnlyList<TestBatch> Cut(
        IReadOnlyList<SelectableTest> tests,
        IReadOnlyCollection<TestDuration> durations,
        BatchBuildSettings settings,
        CostModel? costs = null) =>
        Cut(tests, Estimate(tests, durations, settings), settings, costs);

    /// <summary>
    /// The forecast of <paramref name="plan"/>, a plan of <paramref name="tests"/> estimated from
    /// <paramref name="durations"/>, under <paramref name="costs"/>.
    /// </summary>
    public static PlanForecast Forecast(
        IReadOnlyList<SelectableTest> tests,
        IReadOnlyCollection<TestDuration> durations,
        BatchBuildSettings settings,
        IReadOnlyList<TestBatch> plan,
        CostModel costs) =>
        costs.Forecast(plan, Estimate(tests, durations, settings));

    /// <summary>
    /// The forecast of the plan <c>fixed-size</c> with <c>Size=auto</c> would make of
    /// <paramref name="tests"/>, the other settings as they are: what a plan is measured against.
    /// </summary>
    public static PlanForecast AutoSizeForecast(
        IReadOnlyList<SelectableTest> tests,
        IReadOnlyCollection<TestDuration> durations,
        BatchBuildSettings settings,
        CostModel costs)
    {
        var estimates = Estimate(tests, durations, settings);
        var auto = settings.BatchingStrategy with
        {
            Type = BatchingStrategyType.FixedSize,
            Size = null,
            AutoSize = true,
        };
        return costs.Forecast(AutoSizeCutter.Cut(tests, estimates, auto, costs), estimates);
    }

    /// <summary>
    /// The whole plan of a run: the test batches the configured strategy cuts from
    /// <paramref name="tests"/>, estimated from <paramref name="durations"/>; with the
    /// <c>probability</c> flakiness strategy, more test batches holding the further runs of each
    /// test whose pass rate in <paramref name="passRates"/> is too low — its k-th run is cut with
    /// the other k-th runs, so no two runs of a test share a test batch; then sorted by the
    /// sorting strategy. Test batches are numbered from 1 in the order they run. With
    /// <c>Size=auto</c>, <paramref name="costs"/> sizes the test batches.
    /// </summary>
    public static IReadOnlyList<TestBatch> Plan(
        IReadOnlyList<SelectableTest> tests,
        IReadOnlyCollection<TestDuration> durations,
        IReadOnlyCollection<TestDuration> passRates,
        BatchBuildSettings settings,
        CostModel? costs = null)
    {
        var rates = PassRates(tests, passRates);
        var runs = tests.ToDictionary(
            test => test.Id,
            test => settings.Flakiness.RunsFor(rates.GetValueOrDefault(test.Id)),
            StringComparer.Ordinal);
        var batches = new List<TestBatch>();
        for (var round = 0; round == 0 || tests.Any(test => runs[test.Id] > round); round++)
        {
            var again = round == 0 ? tests : [.. tests.Where(test => runs[test.Id] > round)];
            batches.AddRange(Cut(again, durations, settings, costs));
        }

        IEnumerable<TestBatch> sorted = settings.Sorting switch
        {
            SortingStrategyType.SuccessRate => batches
                .OrderBy(batch => batch.Tests.Min(test => rates.GetValueOrDefault(test.Id) ?? 1))
                .ThenByDescending(batch => batch.ExpectedMillis),
            _ when runs.Values.Any(count => count > 1) => batches.OrderByDescending(batch => batch.ExpectedMillis),
            _ => batches,
        };
        return [.. sorted.Select((batch, i) => batch with { Index = i + 1 })];
    }

    private static IReadOnlyList<TestBatch> Cut(
        IReadOnlyList<SelectableTest> tests,
        IReadOnlyDictionary<TestKey, DurationEstimate> estimates,
        BatchBuildSettings settings,
        CostModel? costs) =>
        settings.BatchingStrategy.IsAutoSize
            ? AutoSizeCutter.Cut(tests, estimates, settings.BatchingStrategy, costs ?? CostModel.Blind(1))
            : TestBatchCutter.Cut(
                new TestQueue(tests, estimates),
                BatchingStrategies.Create(settings.BatchingStrategy));

    private static IReadOnlyDictionary<TestKey, DurationEstimate> Estimate(
        IReadOnlyList<SelectableTest> tests,
        IReadOnlyCollection<TestDuration> durations,
        BatchBuildSettings settings) =>
        DurationEstimator.Estimate(tests, durations, settings.Durations.DefaultDurationMillis);

    // Each test's recorded pass rate: its own, else that of the name it shares with others.
    private static Dictionary<string, double?> PassRates(
        IReadOnlyList<SelectableTest> tests,
        IReadOnlyCollection<TestDuration> recorded)
    {
        var byKey = recorded.Where(duration => duration.PassRate is not null).ToDictionary(
            duration => duration.Test,
            duration => duration.PassRate);
        return tests.ToDictionary(
            test => test.Id,
            test => test.HistoryKeys.Select(key => byKey.GetValueOrDefault(key))
                .FirstOrDefault(rate => rate is not null),
            StringComparer.Ordinal);
    }
}
