using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using BatchBuild.Client;
using BatchBuild.Core;
using BatchBuild.Core.Api;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Store;

namespace BatchBuild.Server.Tests;

/// <summary>
/// Results and duration requests at the edge of what the API accepts, over real HTTP on both
/// databases: every result the API accepts is stored, and what a database still refuses is the
/// client's 400 with a code, never a 503 that the client would spool and send again forever.
/// </summary>
[TestFixtureSource(typeof(TestDatabase), nameof(TestDatabase.Providers))]
public sealed class LongResultTests(string provider) : DatabaseTest(provider)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);

    private static StringContent Json<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        new(JsonSerializer.Serialize(value, type), Encoding.UTF8, "application/json");

    // The longest text the API accepts in every field of a result, each field different.
    private static ResultDto Longest(string script, string batch, int seed) =>
        new(
            batch,
            1,
            LongText.Of(script, ResultDto.MaxTextLength, seed),
            LongText.Of(script, ResultDto.MaxTextLength, seed + 1),
            LongText.Of(script, ResultDto.MaxTextLength, seed + 2),
            TestRunOutcome.Failed,
            100,
            Now,
            LongText.Of(script, ResultDto.MaxTextLength, seed + 3),
            LongText.Of(script, ResultDto.MaxTextLength, seed + 4),
            LongText.Of(script, ResultDto.MaxErrorLength, seed + 5));

    [TestCaseSource(typeof(LongText), nameof(LongText.Scripts))]
    public async Task Results_with_the_longest_text_in_every_field_are_stored_and_read_back(string script)
    {
        await using var server = await RunningServer.StartAsync(Database);
        var batch = LongText.Of(script, BatchId.MaxLength, 1);
        ResultDto[] sent = [Longest(script, batch, 10), Longest(script, batch, 20), Longest(script, batch, 30)];

        using var response = await server.Client.PostAsync(
            "api/v1/results",
            Json(new ResultsRequest(sent), ApiJson.Default.ResultsRequest));
        using var again = await server.Client.PostAsync(
            "api/v1/results",
            Json(new ResultsRequest(sent), ApiJson.Default.ResultsRequest));
        using var durations = await server.Client.PostAsync(
            "api/v1/durations",
            Json(
                new DurationsRequest([.. sent.Select(r => new TestDto(r.Assembly, r.Name))], 90, null, null),
                ApiJson.Default.DurationsRequest));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That(
            (await again.Content.ReadFromJsonAsync(ApiJson.Default.ResultsResponse))!.Batches.Single().Counts.Failed,
            Is.EqualTo(3),
            "sent twice, recorded once");
        var stored = (await server.Client.GetFromJsonAsync(
            $"api/v1/batches/{Uri.EscapeDataString(batch)}/1/results",
            ApiJson.Default.BatchResultsDto))!;
        // A page cuts each message at MaxListedErrorLength with a marker; the store keeps it whole
        // (LongTextTests), and GET /api/v1/tests/runs answers it whole.
        Assert.That(
            stored.Results.Select(r => r with { ErrorMessage = null }),
            Is.EquivalentTo(sent.Select(r => r with { ErrorMessage = null })));
        const int Kept = ResultDto.MaxListedErrorLength - 2; // a cut never splits a surrogate pair
        Assert.That(
            stored.Results.Select(r => r.ErrorMessage![..Kept]),
            Is.EquivalentTo(sent.Select(r => r.ErrorMessage![..Kept])));
        Assert.That(stored.Results.Select(r => r.ErrorMessage), Has.All.Contains("[cut: 16384 characters in all"));
        Assert.That(durations.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(
            (await durations.Content.ReadFromJsonAsync(ApiJson.Default.DurationsResponse))!
                .Durations.Select(d => d.Name),
            Is.EquivalentTo(sent.Select(r => r.Name)));
    }

    [Test]
    public async Task The_client_sends_a_result_with_a_long_cjk_name_once_and_spools_nothing()
    {
        await using var server = await RunningServer.StartAsync(Database);
        var folder = Directory.CreateTempSubdirectory("batchbuild-spool-").FullName;
        try
        {
            var spool = new ResultSpool(Path.Combine(folder, "spool"));
            var messages = new List<Diagnostic>();
            using var http = new HttpClient();
            var client = new ServerResultStore(
                http,
                server.Url,
                RunningServer.Key,
                spool,
                messages.Add)
            { AttemptTimeout = TimeSpan.FromSeconds(30) };
            // A test case whose argument is a thousand CJK characters: 3,000 bytes of name.
            var name = $"Tests.Names.Accepted(\"{LongText.Of("cjk", 1000, 1)}\")";
            var result = new TestResultRecord(
                BatchId.Parse("cjk-names"),
                1,
                new TestKey("Tests", name),
                name,
                TestRunOutcome.Passed,
                40,
                Now,
                "agent-1",
                "run-1");

            var batches = await client.RecordResultsAsync([result]);

            Assert.That(batches.Select(batch => batch.Counts.Passed), Is.EqualTo(new[] { 1 }), "recorded, not spooled");
            Assert.That(spool.Pending(), Is.Empty);
            Assert.That(messages.Where(m => m.Code is not null), Is.Empty);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public async Task A_value_past_a_size_limit_of_the_database_is_a_400_with_its_code_and_not_a_503()
    {
        if (Database.Provider != "postgres")
        {
            Assert.Ignore("SQLite has no size limit on an index entry");
        }

        await using var server = await RunningServer.StartAsync(Database);

        // An operator's own index on the display names, which PostgreSQL cannot hold for long ones.
        Database.Execute("CREATE INDEX ix_operator_display_name ON test_results (display_name)");
        using var response = await server.Client.PostAsync(
            "api/v1/results",
            Json(new ResultsRequest([Longest("cjk", "too-large", 10)]), ApiJson.Default.ResultsRequest));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var problem = await ServerApiTests.ProblemAsync(response);
        Assert.That(problem.GetProperty("code").GetString(), Is.EqualTo("BB5011"));
        Assert.That(
            problem.GetProperty("detail").GetString(),
            Does.Contain("larger than the database can keep").And.Not.Contain("display_name"));
    }

    [Test]
    public async Task Durations_for_tests_of_more_assemblies_than_the_maximum_are_refused_with_a_code()
    {
        await using var server = await RunningServer.StartAsync(Database);
        static TestDto[] Tests(int assemblies) =>
            [.. Enumerable.Range(0, assemblies).Select(i => new TestDto($"Tests{i}", "A.One"))];

        using var most = await server.Client.PostAsync(
            "api/v1/durations",
            Json(
                new DurationsRequest(Tests(DurationsRequest.MaxAssemblies), 90, null, null),
                ApiJson.Default.DurationsRequest));
        using var tooMany = await server.Client.PostAsync(
            "api/v1/durations",
            Json(
                new DurationsRequest(Tests(DurationsRequest.MaxAssemblies + 1), 90, null, null),
                ApiJson.Default.DurationsRequest));

        Assert.That(most.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(tooMany.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var problem = await ServerApiTests.ProblemAsync(tooMany);
        Assert.That(problem.GetProperty("code").GetString(), Is.EqualTo("BB5001"));
        Assert.That(
            problem.GetProperty("errors").EnumerateArray().Select(e => e.GetString()),
            Has.Some.Contains($"at most {DurationsRequest.MaxAssemblies} assemblies"));
    }
}
