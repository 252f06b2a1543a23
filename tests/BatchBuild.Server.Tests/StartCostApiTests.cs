using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using BatchBuild.Client;
using BatchBuild.Core;
using BatchBuild.Core.Api;
using BatchBuild.Core.Durations;

namespace BatchBuild.Server.Tests;

/// <summary>
/// What test batches and listings cost beside their tests, recorded and read through the batch
/// server over real HTTP on 127.0.0.1, on a real SQLite file and a real PostgreSQL database.
/// </summary>
[TestFixtureSource(typeof(TestDatabase), nameof(TestDatabase.Providers))]
public sealed class StartCostApiTests(string provider) : DatabaseTest(provider)
{
    private static readonly DateTimeOffset Morning = new(2026, 12, 7, 8, 0, 0, TimeSpan.Zero);
    private readonly List<Diagnostic> _messages = [];

    private static StartCostRecord Cost(
        string assembly, int minute, StartCostKind kind = StartCostKind.TestBatch, string batch = "ci-7") =>
        new(assembly, kind, 1200, 4200, 2500, 40, batch, Morning.AddMinutes(minute));

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private ServerResultStore Store(RunningServer server, HttpClient http) =>
        new(
            http,
            server.Url,
            RunningServer.Key,
            new ResultSpool(Path.Combine(Path.GetTempPath(), $"batchbuild-spool-{Guid.NewGuid():N}")),
            _messages.Add)
        {
            AttemptTimeout = TimeSpan.FromSeconds(10),
            FirstRetryDelay = TimeSpan.FromMilliseconds(10),
        };

    [Test]
    public async Task Start_costs_recorded_through_the_server_are_read_back_newest_first_per_assembly_and_kind()
    {
        await using var server = await RunningServer.StartAsync(Database);
        using var http = new HttpClient();
        using var store = Store(server, http);
        await store.RecordStartCostsAsync(
        [
            .. Enumerable.Range(1, 4).Select(minute => Cost("Markdig.Tests", minute)),
            Cost("Markdig.Tests", 5, StartCostKind.Listing) with { TestMillis = 0, Tests = 3796 },
            Cost("Humanizer.Tests", 6, batch: "ci-8"),
        ]);

        var newest = await store.GetStartCostsAsync(new StartCostQuery(["Markdig.Tests", "Humanizer.Tests"], null, 2));
        var planning = await store.GetStartCostsAsync(
            new StartCostQuery(["Markdig.Tests", "Humanizer.Tests"], Morning.AddMinutes(4), 10, "ci-8"));

        Assert.That(
            newest,
            Is.EqualTo(new[]
            {
                Cost("Humanizer.Tests", 6, batch: "ci-8"),
                Cost("Markdig.Tests", 5, StartCostKind.Listing) with { TestMillis = 0, Tests = 3796 },
                Cost("Markdig.Tests", 4),
                Cost("Markdig.Tests", 3),
            }));
        Assert.That(
            planning.Select(cost => (cost.Kind, cost.FinishedAt.Minute)),
            Is.EqualTo(new[] { (StartCostKind.Listing, 5), (StartCostKind.TestBatch, 4) }),
            "the window and the batch being planned are honoured");
        Assert.That(_messages, Is.Empty);
    }

    [Test]
    public async Task Invalid_start_costs_are_refused_with_every_problem_and_none_is_recorded()
    {
        await using var server = await RunningServer.StartAsync(Database);
        using var invalid = await server.Client.PostAsync(
            "api/v1/start-costs",
            Json("""
                {"costs":[
                  {"assembly":"A.Tests","kind":"testBatch","startMillis":1200,"wallMillis":4200,"testMillis":2500,
                   "tests":40,"batchId":"ci-7","finishedAt":"2026-12-07T08:00:00Z"},
                  {"assembly":" ","startMillis":-1,"wallMillis":7e8,"tests":-2,"batchId":"",
                   "finishedAt":"1999-12-31T00:00:00Z","listDigest":"ABC"}]}
                """));
        using var empty = await server.Client.PostAsync("api/v1/start-costs", Json("""{"costs":[]}"""));
        using var unknownKind = await server.Client.PostAsync(
            "api/v1/start-costs",
            Json("""{"costs":[{"assembly":"A.Tests","kind":"warmup"}]}"""));
        using var tooMany = await server.Client.PostAsJsonAsync(
            "api/v1/start-costs",
            StartCostsRequest.From(Enumerable.Range(0, StartCostsRequest.MaxCosts + 1).Select(i => Cost("A.Tests", i))),
            ApiJson.Default.StartCostsRequest);

        Assert.That(
            new[] { invalid.StatusCode, empty.StatusCode, unknownKind.StatusCode, tooMany.StatusCode },
            Is.All.EqualTo(HttpStatusCode.BadRequest));
        var problem = await ServerApiTests.ProblemAsync(invalid);
        Assert.That(problem.GetProperty("code").GetString(), Is.EqualTo("BB5001"));
        Assert.That(
            problem.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!.Split(':')[0]),
            Is.EqualTo(new[]
            {
                "costs[1].assembly", "costs[1].kind", "costs[1].startMillis", "costs[1].wallMillis",
                "costs[1].testMillis", "costs[1].tests", "costs[1].batchId", "costs[1].finishedAt",
                "costs[1].listDigest",
            }));
        Assert.That(
            (await ServerApiTests.ProblemAsync(tooMany)).GetProperty("errors")[0].GetString(),
            Is.EqualTo($"costs: {StartCostsRequest.MaxCosts + 1} costs; send at most {StartCostsRequest.MaxCosts} "
                + "per request"));
        Assert.That(
            (await ServerApiTests.ProblemAsync(unknownKind)).GetProperty("code").GetString(), Is.EqualTo("BB5001"));
        Assert.That(Database.Execute("SELECT COUNT(*) FROM start_costs"), Is.EqualTo(0L), "all or none");
    }

    [Test]
    public async Task An_invalid_start_cost_query_is_refused_with_every_problem()
    {
        await using var server = await RunningServer.StartAsync(Database);
        using var invalid = await server.Client.PostAsync(
            "api/v1/start-costs/query",
            Json("""
                {"assemblies":["A.Tests",""],"since":"1990-01-01T00:00:00Z","runsPerAssembly":0,"excludeBatchId":" "}
                """));
        using var noAssemblies = await server.Client.PostAsync("api/v1/start-costs/query", Json("{}"));
        using var tooMany = await server.Client.PostAsJsonAsync(
            "api/v1/start-costs/query",
            new StartCostsQueryRequest(
                [.. Enumerable.Range(0, DurationsRequest.MaxAssemblies + 1).Select(i => $"A{i}.Tests")], null, 20),
            ApiJson.Default.StartCostsQueryRequest);

        Assert.That(
            new[] { invalid.StatusCode, noAssemblies.StatusCode, tooMany.StatusCode },
            Is.All.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(
            (await ServerApiTests.ProblemAsync(invalid)).GetProperty("errors").EnumerateArray()
                .Select(e => e.GetString()!.Split(':')[0]),
            Is.EqualTo(new[] { "assemblies[1]", "runsPerAssembly", "since", "excludeBatchId" }));
        Assert.That(
            (await ServerApiTests.ProblemAsync(tooMany)).GetProperty("errors")[0].GetString(),
            Does.Contain($"at most {DurationsRequest.MaxAssemblies} assembly names"));
    }

    [Test]
    public async Task Start_costs_need_the_key_to_be_written_and_to_be_read_unless_reads_are_open()
    {
        var record = JsonSerializer.Serialize(
            StartCostsRequest.From([Cost("A.Tests", 1)]), ApiJson.Default.StartCostsRequest);
        const string Query = """{"assemblies":["A.Tests"]}""";
        await using (var server = await RunningServer.StartAsync(Database))
        {
            using var write = await server.Anonymous.PostAsync("api/v1/start-costs", Json(record));
            using var read = await server.Anonymous.PostAsync("api/v1/start-costs/query", Json(Query));

            Assert.That(new[] { write.StatusCode, read.StatusCode }, Is.All.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(
                (await ServerApiTests.ProblemAsync(write)).GetProperty("code").GetString(), Is.EqualTo("BB5002"));
        }

        await using var open = await RunningServer.StartAsync(
            Database,
            new Dictionary<string, string?> { ["BatchBuild:OpenReads"] = "true" });
        using var keyed = await open.Client.PostAsync("api/v1/start-costs", Json(record));
        using var openWrite = await open.Anonymous.PostAsync("api/v1/start-costs", Json(record));
        using var openRead = await open.Anonymous.PostAsync("api/v1/start-costs/query", Json(Query));

        Assert.That(
            (keyed.StatusCode, openWrite.StatusCode, openRead.StatusCode),
            Is.EqualTo((HttpStatusCode.OK, HttpStatusCode.Unauthorized, HttpStatusCode.OK)));
        Assert.That(
            (await keyed.Content.ReadFromJsonAsync(ApiJson.Default.StartCostsRecorded))!.Recorded, Is.EqualTo(1));
        Assert.That(
            (await openRead.Content.ReadFromJsonAsync(ApiJson.Default.StartCostsResponse))!.Costs.Single().ToCost(),
            Is.EqualTo(Cost("A.Tests", 1)),
            "one record: the write without the key changed nothing");
    }
}
