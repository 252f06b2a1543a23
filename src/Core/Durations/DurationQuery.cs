using BatchBuild.Core.Configuration;
using BatchBuild.Core.Discovery;

namespace BatchBuild.Core.Durations;

/// <summary>What the planner asks a store: the durations of these tests.</summary>
/// <param name="Tests">The tests to look up; unknown tests are left out of the answer.</param>
/// <param name="Percentile">The percentile of each test's durations, in (0, 100].</param>
/// <param name="Since">Only runs that ended at or after this time count; all when null.</param>
/// <param name="RunsPerTest">Only each test's newest runs count, at most this many.</param>
/// <param name="ExcludeBatchId">
/// Runs of this batch do not count: the batch being planned, so that agents that plan it at
/// different times, while others of them already report into it, plan from the same history.
/// </param>
public sealed record DurationQuery(
    IReadOnlyList<TestKey> Tests,
    double Percentile,
    DateTimeOffset? Since,
    int RunsPerTest,
    string? ExcludeBatchId = null)
{
    /// <summary>The most recent runs a test's duration rests on.</summary>
    public const int DefaultRunsPerTest = 100;

    /// <summary>
    /// The query for <paramref name="tests"/> under <paramref name="settings"/> at <paramref name="now"/>.
    /// </summary>
    public static DurationQuery For(
        IEnumerable<TestKey> tests,
        DurationSettings settings,
        DateTimeOffset now,
        string? excludeBatchId = null) =>
        new(
            [.. tests.Distinct()],
            settings.Percentile,
            settings.TimeLimit?.WindowStart(now),
            DefaultRunsPerTest,
            excludeBatchId);
}
