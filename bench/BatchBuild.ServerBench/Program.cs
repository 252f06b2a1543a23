// Measures the batch store under concurrent agents, side by side in one run: the embedded SQLite
// store in process, the batch server over HTTP on SQLite, and, when BATCHBUILD_TEST_POSTGRES names
// a PostgreSQL server whose user may create databases, the PostgreSQL store in process (the
// database's share of a report) and the batch server over HTTP on PostgreSQL, whose result rate
// is checked against the goal. Then it measures one-result writes with no other and with 20,000
// other active batches.
//   dotnet run --project bench/BatchBuild.ServerBench -c Release
//   dotnet run --project bench/BatchBuild.ServerBench -c Release -- --active-batches   (that measurement alone)
//   dotnet run --project bench/BatchBuild.ServerBench -c Release -- --results          (the first one alone)
// dotnet run --project bench/BatchBuild.ServerBench -c Release -- --leases           (lease latency alone: 200 leases/s
// from 8 agents)
// dotnet run --project bench/BatchBuild.ServerBench -c Release -- --durations        (the PostgreSQL store's duration
// read of 50,000 tests alone)
using System.Diagnostics;
using System.Net.Http.Json;
using BatchBuild.Core.Api;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Store;
using BatchBuild.Server;
using BatchBuild.ServerBench;
using BatchBuild.Store;
using BatchBuild.Store.Postgres;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

const int ActiveBatches = 20_000;
const int LatencyWrites = 300;

if (args.Contains("--active-batches"))
{
    await ActiveBatchesAsync();
    return 0;
}

if (args.Contains("--durations"))
{
    var durationsServer = Environment.GetEnvironmentVariable("BATCHBUILD_TEST_POSTGRES");
    Console.WriteLine(string.IsNullOrWhiteSpace(durationsServer)
        ? "BATCHBUILD_TEST_POSTGRES is not set: this measurement needs a PostgreSQL server."
        : await WithPostgresAsync(durationsServer, Durations.MeasureAsync));
    return 0;
}

if (args.Contains("--leases"))
{
    await LeasesAsync();
    return 0;
}

const int Agents = 8;
const int ReportsPerAgent = 50;
const int ResultsPerReport = 100;
const string Key = "bb_bench-key";
const double GoalResultsPerSecond = 20_000;
const string PostgresServer = "server, PostgreSQL, HTTP";

var rows = new List<Row>();
var folder = Directory.CreateTempSubdirectory("batchbuild-serverbench-").FullName;
try
{
    using (var embedded = SqliteBatchStore.Open(Path.Combine(folder, "embedded.db")))
    {
        rows.Add(await MeasureAsync(
            "embedded SQLite, in process",
            results => embedded.RecordResultsAsync(results),
            query => embedded.GetDurationsAsync(query),
            id => embedded.CloseBatchAsync(id)));
    }

    rows.Add(await ServerAsync("server, SQLite, HTTP", "sqlite", Path.Combine(folder, "server.db")));
    var admin = Environment.GetEnvironmentVariable("BATCHBUILD_TEST_POSTGRES");
    if (!string.IsNullOrWhiteSpace(admin))
    {
        rows.Add(await WithPostgresAsync(admin, PostgresInProcessAsync));
        rows.Add(await WithPostgresAsync(admin, connection => ServerAsync(PostgresServer, "postgres", connection)));
    }
    else
    {
        Console.WriteLine("BATCHBUILD_TEST_POSTGRES is not set: PostgreSQL is left out.");
    }
}
finally
{
    Directory.Delete(folder, recursive: true);
}

Console.WriteLine();
Console.WriteLine($"{Agents} agents at once, {ReportsPerAgent} reports each of {ResultsPerReport} results "
    + $"({Agents * ReportsPerAgent * ResultsPerReport} results), then every report again, then a duration query for "
        + $"1000 tests and the close.");
Console.WriteLine();
Console.WriteLine("| store | results/s | report p50 | report p95 | resent results/s | durations (1000 tests) | close "
    + "| CPU per report: .NET | CPU per report: PostgreSQL |");
Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
foreach (var row in rows)
{
    Console.WriteLine(
        $"| {row.Name} | {row.ResultsPerSecond:0} | {row.P50:0.0} ms | {row.P95:0.0} ms | {row.ResentPerSecond:0} | "
            + $"{row.DurationsMillis:0.0} ms | {row.CloseMillis:0.0} ms " +
        $"| {row.DotNetCpuPerReport:0.0} ms | {row.PostgresCpuPerReport:0.0} ms |");
}

Console.WriteLine();
Console.WriteLine($"CPU per report: processor time of the first {Agents * ReportsPerAgent} reports over their number, "
    + $"on {Environment.ProcessorCount} processors; .NET is this process (agents, server, store), PostgreSQL every "
        + $"postgres process.");

var baseline = rows[0].ResultsPerSecond;
Console.WriteLine();
foreach (var row in rows.Skip(1))
{
    Console.WriteLine($"{row.Name}: {row.ResultsPerSecond / baseline:0.00}x the embedded store's result rate");
}

if (rows.SingleOrDefault(row => row.Name == PostgresServer) is { } postgres)
{
    Console.WriteLine();
    Console.WriteLine(
        $"PostgreSQL through the server over HTTP, {Agents} agents at once: {postgres.ResultsPerSecond:0} results/s; " +
        $"goal {GoalResultsPerSecond:0} results/s: "
            + $"{(postgres.ResultsPerSecond >= GoalResultsPerSecond ? "met" : "NOT met")}");
}

if (!args.Contains("--results"))
{
    Console.WriteLine();
    await ActiveBatchesAsync();
    Console.WriteLine();
    await LeasesAsync();
}

return 0;

// One-result writes, one at a time, into an otherwise empty store and then beside 20,000 other
// active batches: what every write paid when expiry read each active batch.
static async Task ActiveBatchesAsync()
{
    var rows = new List<LatencyRow>();
    var folder = Directory.CreateTempSubdirectory("batchbuild-serverbench-").FullName;
    try
    {
        using (var embedded = SqliteBatchStore.Open(Path.Combine(folder, "embedded.db")))
        {
            rows.Add(await WriteLatencyAsync(
                "embedded SQLite, in process",
                results => embedded.RecordResultsAsync(results)));
        }

        rows.Add(await WithServerAsync(
            "sqlite",
            Path.Combine(folder, "server.db"),
            http => WriteLatencyAsync("server, SQLite, HTTP", results => PostAsync(http, results))));
        var admin = Environment.GetEnvironmentVariable("BATCHBUILD_TEST_POSTGRES");
        if (!string.IsNullOrWhiteSpace(admin))
        {
            rows.Add(await WithPostgresAsync(admin, connection =>
                WithServerAsync(
                    "postgres",
                    connection,
                    http => WriteLatencyAsync("server, PostgreSQL, HTTP", results => PostAsync(http, results)))));
        }
        else
        {
            Console.WriteLine("BATCHBUILD_TEST_POSTGRES is not set: PostgreSQL is left out.");
        }
    }
    finally
    {
        Directory.Delete(folder, recursive: true);
    }

    Console.WriteLine();
    Console.WriteLine($"A one-result write, {LatencyWrites} one after another, with no other and with {ActiveBatches} "
        + $"other active batches.");
    Console.WriteLine();
    Console.WriteLine($"| store | p50, 0 active | p95, 0 active | p50, {ActiveBatches} active | p95, {ActiveBatches} "
        + $"active |");
    Console.WriteLine("| --- | --- | --- | --- | --- |");
    foreach (var row in rows)
    {
        Console.WriteLine($"| {row.Name} | {row.EmptyP50:0.00} ms | {row.EmptyP95:0.00} ms | {row.FullP50:0.00} ms | "
            + $"{row.FullP95:0.00} ms |");
    }
}

static async Task<LatencyRow> WriteLatencyAsync(string name, Func<IReadOnlyCollection<TestResultRecord>, Task> record)
{
    var at = DateTimeOffset.UtcNow;
    TestResultRecord One(string batch, string test) =>
        new(
            BatchId.Parse(batch),
            1,
            new TestKey("Bench.Tests", test),
            test,
            TestRunOutcome.Passed,
            10,
            at,
            "agent",
            $"run-{test}");

    async Task<(double P50, double P95)> MeasureAsync(string label)
    {
        var latencies = new List<double>();
        for (var i = -20; i < LatencyWrites; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await record([One($"probe-{label}", $"Bench.Probe.{label}{i + 20}")]);
            if (i >= 0)
            {
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }

        latencies.Sort();
        return (latencies[latencies.Count / 2], latencies[(int)(latencies.Count * 0.95)]);
    }

    var empty = await MeasureAsync("empty");
    var seeding = Stopwatch.StartNew();
    for (var first = 0; first < ActiveBatches; first += ResultsRequest.MaxBatchesPerReport)
    {
        await record([.. Enumerable.Range(
            first,
            Math.Min(
                ResultsRequest.MaxBatchesPerReport,
                ActiveBatches - first)).Select(i => One($"active-{i}", "Bench.Active.Test"))]);
    }

    Console.WriteLine($"{name}: {ActiveBatches} active batches started in {seeding.Elapsed.TotalSeconds:0.0} s");
    var full = await MeasureAsync("full");
    return new LatencyRow(name, empty.P50, empty.P95, full.P50, full.P95);
}

static async Task PostAsync(HttpClient http, IReadOnlyCollection<TestResultRecord> results)
{
    using var response = await http.PostAsJsonAsync(
        "api/v1/results",
        new ResultsRequest([.. results.Select(ResultDto.From)]),
        ApiJson.Default.ResultsRequest);
    response.EnsureSuccessStatusCode();
}

// Lease latency on the server over loopback (the queue is in memory; the store is SQLite).
static async Task LeasesAsync()
{
    var folder = Directory.CreateTempSubdirectory("batchbuild-serverbench-leases-").FullName;
    try
    {
        Console.WriteLine(await WithServerAsync("sqlite", Path.Combine(folder, "server.db"), Leases.MeasureAsync));
    }
    finally
    {
        Directory.Delete(folder, recursive: true);
    }
}

static async Task<T> WithServerAsync<T>(string provider, string connection, Func<HttpClient, Task<T>> measure)
{
    var (app, problems) = await BatchServer.CreateAsync(
        ["--urls", "http://127.0.0.1:0"],
        builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["BatchBuild:Provider"] = provider,
            ["BatchBuild:ConnectionString"] = connection,
            ["BatchBuild:ApiKeyHashes:0"] = ApiKeys.Hash(Key),
            ["Logging:LogLevel:Default"] = "Warning",
        }));
    if (app is null)
    {
        throw new InvalidOperationException(string.Join(Environment.NewLine, problems));
    }

    await using (app)
    {
        await app.StartAsync();
        var address = app.Services
            .GetRequiredService<IServer>()
            .Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        using var http = new HttpClient { BaseAddress = new Uri(address + "/") };
        http.DefaultRequestHeaders.Add("X-BatchBuild-Api-Key", Key);
        var result = await measure(http);
        await app.StopAsync();
        return result;
    }
}

static async Task<T> WithPostgresAsync<T>(string admin, Func<string, Task<T>> use)
{
    var name = $"batchbuild_bench_{Guid.NewGuid():N}";
    await using (var connection = new NpgsqlConnection(admin))
    {
        await connection.OpenAsync();
        await new NpgsqlCommand($"CREATE DATABASE {name}", connection).ExecuteNonQueryAsync();
    }

    try
    {
        return await use(new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString);
    }
    finally
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        await new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection).ExecuteNonQueryAsync();
    }
}

// The PostgreSQL store called directly, as the server calls it but without HTTP and JSON: what a
// report costs in the database alone.
static async Task<Row> PostgresInProcessAsync(string connection)
{
    using var store = await PostgresDialect.OpenAsync(connection);
    return await MeasureAsync(
        "PostgreSQL store, in process",
        results => store.RecordResultsAsync(results),
        query => store.GetDurationsAsync(query),
        id => store.CloseBatchAsync(id));
}

static Task<Row> ServerAsync(string name, string provider, string connection) =>
    WithServerAsync(provider, connection, http => MeasureAsync(
        name,
        async results =>
        {
            await PostAsync(http, results);
            return [];
        },
        async query =>
        {
            using var response = await http.PostAsJsonAsync(
                "api/v1/durations",
                DurationsRequest.From(query),
                ApiJson.Default.DurationsRequest);
            response.EnsureSuccessStatusCode();
            var durations = await response.Content.ReadFromJsonAsync(ApiJson.Default.DurationsResponse);
            return [.. durations!.Durations.Select(d => d.ToDuration())];
        },
        async id =>
        {
            using var response = await http.PostAsync($"api/v1/batches/{Uri.EscapeDataString(id.Value)}/close", null);
            response.EnsureSuccessStatusCode();
            return new CloseResult(CloseStatus.Closed, null, []);
        }));

static async Task<Row> MeasureAsync(
    string name,
    Func<IReadOnlyCollection<TestResultRecord>, Task<IReadOnlyList<BatchInfo>>> record,
    Func<DurationQuery, Task<IReadOnlyList<TestDuration>>> durations,
    Func<BatchId, Task<CloseResult>> close)
{
    var batch = BatchId.Parse($"bench-{Guid.NewGuid():N}");
    var at = DateTimeOffset.UtcNow;
    TestResultRecord[] Report(int agent, int report) =>
        [.. Enumerable.Range(0, ResultsPerReport).Select(i => new TestResultRecord(
            batch,
            report + 1,
            new TestKey("Bench.Tests", $"Bench.Class{i % 50}.Test{agent}x{report}x{i}"),
            $"Test{i}",
            TestRunOutcome.Passed,
            10 + i,
            at,
            $"agent-{agent}",
            $"agent-{agent}-run-{report}"))];

    await record(Report(99, 0));
    var latencies = new List<double>();
    var cpu = CpuTime.Now();
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, Agents).Select(agent => Task.Run(async () =>
    {
        for (var report = 0; report < ReportsPerAgent; report++)
        {
            var started = Stopwatch.GetTimestamp();
            await record(Report(agent, report));
            lock (latencies)
            {
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
    })));
    var elapsed = clock.Elapsed.TotalSeconds;
    var used = CpuTime.Now() - cpu;

    clock.Restart();
    await Task.WhenAll(Enumerable.Range(0, Agents).Select(agent => Task.Run(async () =>
    {
        for (var report = 0; report < ReportsPerAgent; report++)
        {
            await record(Report(agent, report));
        }
    })));
    var resent = clock.Elapsed.TotalSeconds;

    var tests = Enumerable.Range(0, 1000)
        .Select(i => new TestKey(
            "Bench.Tests",
            $"Bench.Class{i % 50}.Test{i % Agents}x{i / 100 % ReportsPerAgent}x{i % ResultsPerReport}"))
        .ToList();
    clock.Restart();
    var known = await durations(new DurationQuery(tests, 90, null, 100));
    var durationMillis = clock.Elapsed.TotalMilliseconds;
    clock.Restart();
    await close(batch);
    var closeMillis = clock.Elapsed.TotalMilliseconds;

    latencies.Sort();
    var total = Agents * ReportsPerAgent * ResultsPerReport;
    Console.WriteLine($"{name}: {total} results in {elapsed:0.00} s, resent in {resent:0.00} s; {known.Count} of 1000 "
        + $"durations known");
    var reports = Agents * ReportsPerAgent;
    return new Row(
        name,
        total / elapsed,
        latencies[latencies.Count / 2],
        latencies[(int)(latencies.Count * 0.95)],
        total / resent,
        durationMillis,
        closeMillis,
        used.DotNet.TotalMilliseconds / reports,
        used.Postgres.TotalMilliseconds / reports);
}
