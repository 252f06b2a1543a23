using System.Diagnostics;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Store;
using BatchBuild.Store;
using BatchBuild.Store.Postgres;
using Npgsql;

namespace BatchBuild.ServerBench;

/// <summary>
/// The duration read of the PostgreSQL store, called in process as the server calls it: 50,000
/// tests in 1,000 assemblies (the most a request may name) and in 50,000 assemblies of one test
/// each (what a request could name before there was a maximum), each test with three recorded
/// runs in a store that holds both. Prints the time of each read, the first and a second one.
/// </summary>
internal static class Durations
{
    private const int Tests = 50_000;
    private const int Runs = 3;

    public static async Task<string> MeasureAsync(string connection)
    {
        // Filling the store on a loaded machine may take a statement past Npgsql's 30 s.
        var patient = new NpgsqlConnectionStringBuilder(connection) { CommandTimeout = 600 };
        using var store = await PostgresDialect.OpenAsync(patient.ConnectionString);
        var most = Suite("Bench.Most", assemblies: 1_000);
        var many = Suite("Bench.Many", assemblies: Tests);
        var recording = Stopwatch.StartNew();
        await RecordAsync(store, most);
        await RecordAsync(store, many);
        recording.Stop();

        var lines = new List<string>
        {
            $"{2 * Tests * Runs} results recorded in {recording.Elapsed.TotalSeconds:0.0} s.",
            string.Empty,
            "| request | assemblies | tests | first read | second read | durations |",
            "| --- | --- | --- | --- | --- | --- |",
        };
        var suites = new[] { ("the maximum", most, 1_000), ("one test per assembly", many, Tests) };
        foreach (var (name, tests, assemblies) in suites)
        {
            var query = new DurationQuery(tests, 90, null, DurationQuery.DefaultRunsPerTest);
            var first = await TimeAsync(() => store.GetDurationsAsync(query));
            var second = await TimeAsync(() => store.GetDurationsAsync(query));
            lines.Add($"| {name} | {assemblies:N0} | {tests.Count:N0} | {first.Seconds:0.00} s | "
                + $"{second.Seconds:0.00} s | {second.Count:N0} |");
        }

        return string.Join(Environment.NewLine, lines);
    }

    private static List<TestKey> Suite(string prefix, int assemblies) =>
        [.. Enumerable.Range(
            0,
            Tests).Select(i => new TestKey(
                $"{prefix}{i % assemblies:00000}.Tests",
                $"{prefix}.Class{i % 50}.Test{i:00000}"))];

    // Each run of the suite is its own batch, reported 5,000 results at a time.
    private static async Task RecordAsync(SqlBatchStore store, List<TestKey> tests)
    {
        var at = DateTimeOffset.UtcNow.AddDays(-1);
        for (var run = 0; run < Runs; run++)
        {
            var batch = BatchId.Parse($"bench-durations-{Guid.NewGuid():N}");
            var results = tests.Select((test, i) => new TestResultRecord(
                batch,
                i / 100,
                test,
                test.FullyQualifiedName,
                TestRunOutcome.Passed,
                10 + (i % 1000) + run,
                at.AddMinutes(run),
                "agent-1",
                $"run-{run}")).ToList();
            foreach (var chunk in results.Chunk(5_000))
            {
                await store.RecordResultsAsync(chunk);
            }

            await store.CloseBatchAsync(batch);
        }
    }

    private static async Task<(double Seconds, int Count)> TimeAsync(Func<Task<IReadOnlyList<TestDuration>>> read)
    {
        var clock = Stopwatch.StartNew();
        var durations = await read();
        return (clock.Elapsed.TotalSeconds, durations.Count);
    }
}
