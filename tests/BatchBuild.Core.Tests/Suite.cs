using BatchBuild.Core.Configuration;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Planning;

namespace BatchBuild.Core.Tests;

/// <summary>Builds suites, histories and plans for tests in a few words.</summary>
internal static class Suite
{
    public static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    public const string Assembly = "/suite/Tests.dll";

    /// <summary>The name the start costs of <see cref="Assembly"/> are recorded under.</summary>
    public static readonly string AssemblyName = TestKey.AssemblyNameOf(Assembly);

    /// <summary>A recorded run of a test batch of <see cref="Assembly"/> that reported 10 results.</summary>
    public static StartCostRecord StartCostRun(double start, double wall, double tests, string batchId = "b-0") =>
        new(AssemblyName, StartCostKind.TestBatch, start, wall, tests, 10, batchId, Now);

    /// <summary>A recorded listing of <see cref="Assembly"/> that took <paramref name="millis"/>.</summary>
    public static StartCostRecord StartCostListing(
        double millis,
        int tests = 10,
        string batchId = "b-0",
        DateTimeOffset? at = null,
        string? digest = null) =>
        new(AssemblyName, StartCostKind.Listing, millis, millis, 0, tests, batchId, at ?? Now, digest);

    /// <summary>
    /// Tests named <c>Class.Method</c>, all in <see cref="Assembly"/> unless a name says <c>source|Class.Method</c>.
    /// </summary>
    public static DiscoveredTest[] Discovered(params string[] names) =>
        [.. names.Select(name => name.Split('|') is [var source, var fqn]
            ? DiscoveredTest.FromName(source, fqn)
            : DiscoveredTest.FromName(Assembly, name))];

    /// <summary>One passed run per test, recorded an hour ago, with the given milliseconds.</summary>
    public static DurationRecord[] History(params (string Name, double Millis)[] runs) =>
        [.. runs.Select(run => Record(run.Name, run.Millis, Now.AddHours(-1)))];

    public static DurationRecord Record(
        string name,
        double millis,
        DateTimeOffset at,
        TestRunOutcome outcome = TestRunOutcome.Passed)
    {
        var (source, fqn) = name.Split('|') is [var s, var f] ? (s, f) : (Assembly, name);
        return new DurationRecord(TestKey.For(source, fqn), millis, outcome, at);
    }

    public static BatchBuildSettings Settings(
        BatchingStrategyType type,
        int? size = null,
        long? durationMillis = null,
        int lastMileLength = 0,
        double percentile = 90) =>
        BatchBuildSettings.Defaults with
        {
            BatchingStrategy = new BatchingStrategySettings(
                type,
                size,
                durationMillis,
                percentile,
                null,
                lastMileLength),
        };

    public static IReadOnlyList<TestBatch> Plan(
        BatchBuildSettings settings,
        DiscoveredTest[] tests,
        params DurationRecord[] history) =>
        BatchPlanner.Cut(tests, history, settings, Now);

    /// <summary>Each test batch as its test names, for comparing with hand-worked cases.</summary>
    public static string[][] Names(IEnumerable<TestBatch> batches) =>
        [.. batches.Select(batch => batch.Tests.Select(test => test.FullyQualifiedName).ToArray())];
}
