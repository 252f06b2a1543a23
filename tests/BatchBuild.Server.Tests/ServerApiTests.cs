using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using BatchBuild.Client;
using BatchBuild.Core.Api;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Durations;

namespace BatchBuild.Server.Tests;

/// <summary>
/// The batch server's API over real HTTP on 127.0.0.1, on a real SQLite file and a real
/// PostgreSQL database: keys, reports, reads, closes (including the visual-testing close route),
/// validation, and eight agents reporting at once.
/// </summary>
[TestFixtureSource(typeof(TestDatabase), nameof(TestDatabase.Providers))]
public sealed class ServerApiTests(string provider) : DatabaseTest(provider)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
    private static ResultDto Result(
        string batch,
        string name,
        TestRunOutcome outcome = TestRunOutcome.Passed,
        int testBatch = 1,
        string agent = "agent-1",
        double millis = 100) =>
        new(
            batch,
            testBatch,
            "Tests",
            name,
            name,
            outcome,
            millis,
            Now,
            agent,
            $"{agent}-run-{testBatch}",
            outcome == TestRunOutcome.Failed ? $"{name} failed" : null);

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    internal static async Task<JsonElement> ProblemAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    [Test]
    public async Task Without_the_key_nothing_is_read_or_written()
    {
        await using var server = await RunningServer.StartAsync(Database);
        var report = JsonSerializer.Serialize(
            new ResultsRequest([Result("ci-1", "A.One")]),
            ApiJson.Default.ResultsRequest);

        using var none = await server.Anonymous.PostAsync("api/v1/results", Json(report));
        using var wrong = new HttpRequestMessage(HttpMethod.Post, "api/v1/results") { Content = Json(report) };
        wrong.Headers.Add("X-BatchBuild-Api-Key", RunningServer.Key + "x");
        using var rejected = await server.Anonymous.SendAsync(wrong);
        using var read = await server.Anonymous.GetAsync("api/v1/batches");
        using var close = await server.Anonymous.DeleteAsync("api/sessions/batches/ci-1/close/bypointerid?apiKey=nope");

        Assert.That(
            new[] { none.StatusCode, rejected.StatusCode, read.StatusCode, close.StatusCode },
            Is.All.EqualTo(HttpStatusCode.Unauthorized));
        var problem = await ProblemAsync(rejected);
        Assert.That(problem.GetProperty("code").GetString(), Is.EqualTo("BB5002"));
        Assert.That(
            problem.GetProperty("detail").GetString(),
            Does.Contain("not accepted").And.Not.Contain(RunningServer.Key));
        Assert.That((await server.ListAsync()).Total, Is.Zero, "nothing was written");
    }

    [Test]
    public async Task Health_and_readiness_answer_without_a_key()
    {
        await using var server = await RunningServer.StartAsync(Database);

        var health = await server.Anonymous.GetStringAsync("health");
        var ready = await server.Anonymous.GetStringAsync("ready");

        Assert.That((health, ready), Is.EqualTo(("{\"status\":\"healthy\"}", "{\"status\":\"ready\"}")));
    }

    [Test]
    public async Task Open_reads_need_no_key_but_writes_still_do()
    {
        await using var server = await RunningServer.StartAsync(
            Database,
            new Dictionary<string, string?> { ["BatchBuild:OpenReads"] = "true" });
        await server.ReportAsync(Result("ci-1", "A.One"));

        using var read = await server.Anonymous.GetAsync("api/v1/batches/ci-1");
        using var write = await server.Anonymous.PostAsync("api/v1/batches/ci-1/close", null);

        Assert.That((read.StatusCode, write.StatusCode), Is.EqualTo((HttpStatusCode.OK, HttpStatusCode.Unauthorized)));
    }

    [Test]
    public async Task Reports_open_and_join_a_batch_that_reads_back_with_its_tests_and_test_batches()
    {
        await using var server = await RunningServer.StartAsync(Database);

        var first = await server.ReportAsync(Result("ci-7", "A.One"), Result("A-other", "X.One"));
        await server.ReportAsync(Result(
            "ci-7",
            "A.Two",
            TestRunOutcome.Failed,
            testBatch: 2,
            agent: "agent-2",
            millis: 300));
        var again = await server.ReportAsync(Result(
            "ci-7",
            "A.Two",
            TestRunOutcome.Failed,
            testBatch: 2,
            agent: "agent-2",
            millis: 300));

        Assert.That(first.Batches.Select(b => b.Name), Is.EqualTo(new[] { "ci-7", "A-other" }));
        Assert.That(
            again.Batches.Single().Counts,
            Is.EqualTo(new BatchCounts(1, 1, 0, 2, 2, 400)),
            "sent twice, recorded once");
        var detail = (await server.Client.GetFromJsonAsync(
            "api/v1/batches/ci-7/1/results",
            ApiJson.Default.BatchResultsDto))!;
        Assert.That(
            detail.Results.Select(r => (r.Name, r.Agent, r.ErrorMessage)),
            Is.EqualTo(new[] { ("A.Two", "agent-2", "A.Two failed"), ("A.One", "agent-1", (string?)null) }),
            "failed first");
        var timeline = (await server.Client.GetFromJsonAsync(
            "api/v1/batches/ci-7/1/timeline",
            ApiJson.Default.TimelineDto))!;
        Assert.That(
            timeline.TestBatches.Select(s => (s.Agent, s.TestBatch, s.FinishedAt - s.StartedAt)),
            Is.EquivalentTo(new[]
            {
                ("agent-1", 1, TimeSpan.FromMilliseconds(100)),
                ("agent-2", 2, TimeSpan.FromMilliseconds(300)),
            }));
        var latest = (await server.Client.GetFromJsonAsync("api/v1/batches/ci-7", ApiJson.Default.BatchDto))!;
        Assert.That((latest.State, latest.Counts.Failed), Is.EqualTo(("active", 1)));
        var filtered = await server.ListAsync("?name=CI&state=active&pageSize=1");
        Assert.That((filtered.Total, filtered.Batches.Single().Name), Is.EqualTo((1, "ci-7")));
        var runs = (await server.Client.GetFromJsonAsync(
            "api/v1/tests/runs?assembly=Tests&name=A.Two",
            ApiJson.Default.TestRunsDto))!;
        Assert.That(runs.Runs.Select(r => r.DurationMillis), Is.EqualTo(new[] { 300.0 }));
    }

    [Test]
    public async Task A_batch_s_results_are_served_in_pages_and_a_page_out_of_range_is_a_problem_naming_the_field()
    {
        await using var server = await RunningServer.StartAsync(Database);
        await server.ReportAsync(
        [
            .. Enumerable.Range(0, 5)
                .Select(i => Result("ci-9", $"A.T{i}", i == 3 ? TestRunOutcome.Failed : TestRunOutcome.Passed)),
        ]);

        var first = (await server.Client.GetFromJsonAsync(
            "api/v1/batches/ci-9/1/results?pageSize=2",
            ApiJson.Default.BatchResultsDto))!;
        var last = (await server.Client.GetFromJsonAsync(
            "api/v1/batches/ci-9/1/results?page=3&pageSize=2",
            ApiJson.Default.BatchResultsDto))!;
        var standard = (await server.Client.GetFromJsonAsync(
            "api/v1/batches/ci-9/1/results",
            ApiJson.Default.BatchResultsDto))!;
        using var invalid = await server.Client.GetAsync("api/v1/batches/ci-9/1/results?page=0&pageSize=101");
        var timeline = (await server.Client.GetFromJsonAsync(
            "api/v1/batches/ci-9/1/timeline",
            ApiJson.Default.TimelineDto))!;

        Assert.That(
            (first.Total, first.Page, first.PageSize, first.Results.Select(r => r.Name)),
            Is.EqualTo((5, 1, 2, new[] { "A.T3", "A.T0" })));
        Assert.That(timeline.TestBatches.Single().Tests, Is.EqualTo(5), "the timeline counts every result");
        Assert.That(last.Results.Single().Name, Is.EqualTo("A.T4"));
        Assert.That((standard.PageSize, standard.Results.Count), Is.EqualTo((100, 5)));
        Assert.That(invalid.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(
            (await ProblemAsync(invalid)).GetProperty("errors").EnumerateArray().Select(e => e.GetString()),
            Is.EqualTo(new[] { "page: 1 or more", "pageSize: 1 to 100" }));
    }

    [Test]
    public async Task A_report_naming_more_than_16_batch_IDs_is_refused()
    {
        await using var server = await RunningServer.StartAsync(Database);
        var report = JsonSerializer.Serialize(
            new ResultsRequest([.. Enumerable.Range(0, 17).Select(i => Result($"ci-{i}", "A.One"))]),
            ApiJson.Default.ResultsRequest);

        using var response = await server.Client.PostAsync("api/v1/results", Json(report));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(
            (await ProblemAsync(response)).GetProperty("errors").EnumerateArray().Select(e => e.GetString()),
            Is.EqualTo(new[] { "results: 17 batch IDs in one request; send at most 16" }));
        Assert.That((await server.ListAsync()).Total, Is.Zero);
    }

    [Test]
    public async Task Batches_with_infinite_durations_from_an_older_version_are_listed_and_read()
    {
        await using var server = await RunningServer.StartAsync(Database);
        await server.ReportAsync(Result("ci-old", "A.One"), Result("ci-old", "A.Two", testBatch: 2));
        var infinity = Database.Provider == "sqlite" ? "9e999" : "'Infinity'::float8";
        Database.Execute(
            $"UPDATE test_results SET duration_ms = {infinity} WHERE full_name = 'A.One'; UPDATE test_results SET "
            + $"duration_ms = 1e300 WHERE full_name = 'A.Two'; UPDATE batches SET test_ms = {infinity};");

        using var list = await server.Client.GetAsync("api/v1/batches");
        using var results = await server.Client.GetAsync("api/v1/batches/ci-old/1/results");

        Assert.That((list.StatusCode, results.StatusCode), Is.EqualTo((HttpStatusCode.OK, HttpStatusCode.OK)));
        var detail = (await results.Content.ReadFromJsonAsync(ApiJson.Default.BatchResultsDto))!;
        Assert.That(detail.Results.Select(r => r.DurationMillis), Is.All.EqualTo(604_800_000.0));
    }

    [Test]
    public async Task The_planner_gets_percentiles_and_pass_counts_of_the_tests_it_names()
    {
        await using var server = await RunningServer.StartAsync(Database);
        for (var run = 1; run <= 4; run++)
        {
            var outcome = run == 2 ? TestRunOutcome.Failed : TestRunOutcome.Passed;
            await server.ReportAsync(
                Result("ci-1", "A.One", outcome, testBatch: run, millis: run * 100),
                Result("ci-1", "A.Two", testBatch: run, millis: 7));
        }

        var query = new DurationQuery([new("Tests", "A.One"), new("Tests", "A.Missing")], 75, null, 100);
        using var response = await server.Client.PostAsJsonAsync(
            "api/v1/durations",
            DurationsRequest.From(query),
            ApiJson.Default.DurationsRequest);
        using var invalid = await server.Client.PostAsync(
            "api/v1/durations",
            Json("""{"tests":[{"assembly":"Tests"}],"percentile":0}"""));

        var durations = (await response.Content.ReadFromJsonAsync(ApiJson.Default.DurationsResponse))!;
        Assert.That(durations.Durations, Is.EqualTo(new[] { new DurationDto("Tests", "A.One", 300, 4, 3) }));
        Assert.That(
            durations.Durations[0].ToDuration().PassRate,
            Is.EqualTo(0.75),
            "the flakiness strategy's pass rate");

        // Agents that plan batch ci-1 while others already report into it leave its runs out.
        using var planning = await server.Client.PostAsJsonAsync(
            "api/v1/durations",
            DurationsRequest.From(query with { ExcludeBatchId = "ci-1" }),
            ApiJson.Default.DurationsRequest);
        using var badExclude = await server.Client.PostAsync(
            "api/v1/durations",
            Json("""{"tests":[{"assembly":"Tests","name":"A.One"}],"percentile":90,"excludeBatchId":" "}"""));
        Assert.That((await planning.Content.ReadFromJsonAsync(ApiJson.Default.DurationsResponse))!.Durations, Is.Empty);
        Assert.That(badExclude.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(
            (await ProblemAsync(badExclude)).GetProperty("errors").EnumerateArray().Single().GetString(),
            Does.StartWith("excludeBatchId: "));
        Assert.That(invalid.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(
            (await ProblemAsync(invalid)).GetProperty("errors").EnumerateArray().Select(e => e.GetString()),
            Is.EqualTo(new[] { "tests[0]: assembly and name are required", "percentile: a number in (0, 100]" }));
    }

    [Test]
    public async Task The_visual_testing_close_route_closes_once_and_knows_unknown_batches()
    {
        await using var server = await RunningServer.StartAsync(Database);
        await server.ReportAsync(
            Result("nightly+1", "A.One"),
            Result("nightly-2", "A.One"),
            Result("nightly-3", "A.One"));

        // As older batch-close clients send it: the key in the query, the ID URL-encoded.
        using var byQuery = await server.Anonymous.DeleteAsync(
            $"api/sessions/batches/nightly%2B1/close/bypointerid?apiKey={Uri.EscapeDataString(RunningServer.Key)}");
        // As the current Eyes JS SDK sends it.
        using var current = new HttpRequestMessage(
            HttpMethod.Delete,
            "api/sessions/batches/nightly-2/close/bypointerId");
        current.Headers.Add("x-eyes-api-key", RunningServer.Key);
        current.Headers.Add("eyes-expect", "202+result");
        using var byHeader = await server.Anonymous.SendAsync(current);
        using var unknown = await server.Client.DeleteAsync("api/sessions/batches/never-seen/close/bypointerid");
        // BatchBuild's own CloseBatch client.
        using var http = new HttpClient();
        var closer = new ServerBatchCloser(http, server.Url, RunningServer.Key, TimeSpan.FromSeconds(10));
        var own = await closer.CloseAsync(
            [BatchId.Parse("nightly-3"), BatchId.Parse("nightly-2"), BatchId.Parse("nope")],
            CancellationToken.None);

        Assert.That(
            (byQuery.StatusCode, byHeader.StatusCode, unknown.StatusCode),
            Is.EqualTo((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.NotFound)));
        Assert.That((await ProblemAsync(unknown)).GetProperty("code").GetString(), Is.EqualTo("BB5004"));
        Assert.That(
            own.Select(r => r.Status),
            Is.EqualTo(new[] { ServerCloseStatus.Closed, ServerCloseStatus.Closed, ServerCloseStatus.Unknown }));
        var batches = await server.ListAsync();
        Assert.That(batches.Batches.Select(b => (b.Name, b.State, b.Reason)), Is.EquivalentTo(new[]
        {
            (
                "nightly+1",
                "closed",
                (string?)"explicit"), ("nightly-2", "closed", "explicit"), ("nightly-3", "closed", "explicit"),
        }));
        using var post = await server.Client.PostAsync("api/v1/batches/nightly-3/close", null);
        Assert.That(
            (await post.Content.ReadFromJsonAsync(ApiJson.Default.CloseResponse))!.Status,
            Is.EqualTo("alreadyClosed"));
    }

    [Test]
    public async Task Bad_requests_get_problem_documents_with_codes_and_write_nothing()
    {
        await using var server = await RunningServer.StartAsync(
            Database,
            new Dictionary<string, string?> { ["BatchBuild:MaxRequestBytes"] = "4096" });

        using var notJson = await server.Client.PostAsync("api/v1/results", Json("{\"results\": [ {"));
        using var wrongType = await server.Client.PostAsync(
            "api/v1/results",
            new StringContent("results", Encoding.UTF8, "text/plain"));
        using var invalid = await server.Client.PostAsync(
            "api/v1/results",
            Json("""{"results":[{"batchId":"bad\tid","testBatch":-1,"durationMillis":-5,"outcome":"Passed"}]}"""));
        using var empty = await server.Client.PostAsync("api/v1/results", Json("""{"results":[]}"""));
        using var wrongValue = await server.Client.PostAsync(
            "api/v1/results",
            Json("""{"results":[{"batchId":"ci-1","outcome":"Green"}]}"""));
        var large = JsonSerializer.Serialize(
            new ResultsRequest([.. Enumerable.Range(0, 100).Select(i => Result("ci-1", $"A.Test{i}"))]),
            ApiJson.Default.ResultsRequest);
        using var tooLarge = await server.Client.PostAsync("api/v1/results", Json(large));
        using var badId = await server.Client.GetAsync("api/v1/batches/bad%01id");
        using var badPage = await server.Client.GetAsync("api/v1/batches?pageSize=100000&state=open");

        Assert.That(
            new[]
            {
                notJson.StatusCode,
                wrongType.StatusCode,
                invalid.StatusCode,
                empty.StatusCode,
                tooLarge.StatusCode,
                badId.StatusCode,
                badPage.StatusCode,
            },
            Is.EqualTo(new[]
            {
                HttpStatusCode.BadRequest,
                HttpStatusCode.UnsupportedMediaType,
                HttpStatusCode.BadRequest,
                HttpStatusCode.BadRequest,
                HttpStatusCode.RequestEntityTooLarge,
                HttpStatusCode.BadRequest,
                HttpStatusCode.BadRequest,
            }));
        var errors = (
            await ProblemAsync(invalid)).GetProperty("errors").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.That(
            errors,
            Does.Contain("results[0].batchId: it contains the character U+0009 at position 4").And.Contain(
                "results[0].durationMillis: milliseconds from 0 to 604800000 (7 days)").And.Contain(
                    "results[0].testBatch: 0 to 1000000"));
        Assert.That((await ProblemAsync(tooLarge)).GetProperty("code").GetString(), Is.EqualTo("BB5003"));
        Assert.That(
            (await ProblemAsync(notJson)).GetProperty("detail").GetString(),
            Does.StartWith("BB5001: the body is not valid JSON"));
        Assert.That((await ProblemAsync(badPage)).GetProperty("errors").GetArrayLength(), Is.EqualTo(2));
        Assert.That(
            (await ProblemAsync(wrongValue)).GetProperty("detail").GetString(),
            Does.Contain("at $.results[0].outcome").And.Contain(
                "one of passed, failed, skipped, none").And.Not.Contain("BatchBuild.Core"));
        Assert.That((await server.ListAsync()).Total, Is.Zero);
    }

    [Test]
    public async Task Eight_agents_reporting_at_once_fill_one_batch_announced_once_after_its_close()
    {
        using var hook = new LoopbackServer((_, _) => Task.FromResult(200));
        await using var server = await RunningServer.StartAsync(
            Database,
            new Dictionary<string, string?> { ["BatchBuild:WebhookUrls:0"] = $"{hook.Url}hooks" });

        await Task.WhenAll(Enumerable.Range(1, 8).Select(agent => Task.Run(async () =>
        {
            for (var testBatch = 1; testBatch <= 5; testBatch++)
            {
                var results = Enumerable.Range(0, 20)
                    .Select(i => Result(
                        "pipeline-9",
                        $"Agent{agent}.Test{testBatch}x{i}",
                        testBatch: testBatch,
                        agent: $"agent-{agent}"))
                    .ToArray();
                await server.ReportAsync(results);
                await server.ReportAsync(results[..3]);
            }
        })));
        var closes = await Task.WhenAll(
            Enumerable.Range(0, 8).Select(_ => server.Client.PostAsync("api/v1/batches/pipeline-9/close", null)));

        var statuses = await Task.WhenAll(
            closes.Select(async c => (await c.Content.ReadFromJsonAsync(ApiJson.Default.CloseResponse))!.Status));
        Assert.That(statuses.Count(s => s == "closed"), Is.EqualTo(1));
        var batch = (await server.ListAsync()).Batches.Single();
        Assert.That(batch.Counts, Is.EqualTo(new BatchCounts(800, 0, 0, 40, 8, 80_000)));
        await WaitForAsync(() => !hook.Requests.IsEmpty);
        await Task.Delay(1000);
        Assert.That(hook.Requests, Has.Count.EqualTo(1), "one notification");
        var completion = BatchCompletion.FromJson(hook.Requests.Single().Body);
        Assert.That(
            (completion.Name, completion.Counts.Passed, completion.Counts.Agents),
            Is.EqualTo(("pipeline-9", 800, 8)));
    }

    internal static async Task WaitForAsync(Func<bool> condition, int seconds = 30)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(until), "timed out waiting");
            await Task.Delay(50);
        }
    }
}
