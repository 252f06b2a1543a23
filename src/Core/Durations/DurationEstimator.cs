using BatchBuild.Core.Configuration;
using BatchBuild.Core.Discovery;

namespace BatchBuild.Core.Durations;

/// <summary>Turns recorded durations into an expected duration for every test of a suite.</summary>
public static class DurationEstimator
{
    /// <summary>
    /// Estimates every test: the <see cref="DurationSettings.Percentile"/> of its representative
    /// durations recorded at or after the window start; without such records, the median of the
    /// recorded tests of its class, else of all recorded tests, else the configured default.
    /// </summary>
    public static IReadOnlyDictionary<TestKey, DurationEstimate> Estimate(
        IEnumerable<SelectableTest> tests,
        IEnumerable<DurationRecord> history,
        DurationSettings settings,
        DateTimeOffset now) =>
        Estimate(
            tests,
            Percentiles(history, settings.Percentile, settings.TimeLimit?.WindowStart(now)),
            settings.DefaultDurationMillis);

    /// <summary>
    /// Every test's <paramref name="percentile"/> of its representative durations recorded at or
    /// after <paramref name="since"/>, with how many of those runs passed; tests with none are left out.
    /// </summary>
    public static IReadOnlyList<TestDuration> Percentiles(
        IEnumerable<DurationRecord> history,
        double percentile,
        DateTimeOffset? since) =>
        [.. history
            .Where(record => record.IsRepresentative && (since is null || record.RecordedAt >= since))
            .GroupBy(record => record.Test)
            .Select(group => new TestDuration(
                group.Key,
                Statistics.Percentile([.. group.Select(record => record.DurationMillis)], percentile),
                group.Count(),
                group.Count(record => record.Outcome == TestRunOutcome.Passed)))];

    /// <summary>
    /// Estimates every test from the recorded durations: its own; else, for a test that shares its
    /// name with others (see <see cref="SelectableTest.NameKey"/>), its share of what was recorded
    /// under the name; else the median of the recorded tests of its class, else of all recorded
    /// tests, else <paramref name="defaultMillis"/>.
    /// </summary>
    public static IReadOnlyDictionary<TestKey, DurationEstimate> Estimate(
        IEnumerable<SelectableTest> tests,
        IReadOnlyCollection<TestDuration> durations,
        long defaultMillis)
    {
        var recorded = durations.ToDictionary(duration => duration.Test, duration => duration.Millis);
        var classMedians = recorded
            .GroupBy(pair => ClassKey(pair.Key))
            .ToDictionary(group => group.Key, group => Statistics.Median([.. group.Select(pair => pair.Value)]));
        DurationEstimate? suiteMedian = recorded.Count == 0
            ? null
            : new DurationEstimate(Statistics.Median([.. recorded.Values]), EstimateOrigin.SuiteMedian);

        var sharingName = tests
            .Where(test => test.NameKey is not null)
            .GroupBy(test => test.NameKey!.Value)
            .ToDictionary(group => group.Key, group => group.Count());
        var estimates = new Dictionary<TestKey, DurationEstimate>();
        foreach (var test in tests)
        {
            estimates[test.Key] =
                recorded.TryGetValue(test.Key, out var own) ? new DurationEstimate(own, EstimateOrigin.Recorded)
                : test.NameKey is { } nameKey && recorded.TryGetValue(nameKey, out var together)
                    ? new DurationEstimate(together / sharingName[nameKey], EstimateOrigin.Recorded)
                : classMedians.TryGetValue(ClassKey(test.Key), out var ofClass)
                    ? new DurationEstimate(ofClass, EstimateOrigin.ClassMedian)
                : suiteMedian ?? new DurationEstimate(defaultMillis, EstimateOrigin.Default);
        }

        return estimates;
    }

    private static (string Assembly, string Class) ClassKey(TestKey key) =>
        (key.Assembly, TestName.ClassOf(key.FullyQualifiedName));
}
