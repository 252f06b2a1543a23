using System.Net;
using System.Net.Http.Json;
using System.Text;
using BatchBuild.Core.Api;
using Microsoft.Extensions.Configuration;

namespace BatchBuild.Server.Tests;

/// <summary>
/// Input the first hardening round let through, on both databases: settings that overflow later,
/// outcomes as flag lists, escaped lone surrogates, times without an offset, agent names the store
/// would merge, paths with dot segments, an encoded key parameter; and a readiness probe that writes.
/// </summary>
[TestFixtureSource(typeof(TestDatabase), nameof(TestDatabase.Providers))]
public sealed class InputRuleTests(string provider) : DatabaseTest(provider)
{
    // A report as raw JSON, so that a test can send what no DTO serialises: escapes, flag lists, local times.
    private static StringContent Report(
        string batch = "rules-1",
        string name = "A.One",
        string outcome = "\"failed\"",
        string finishedAt = "2026-11-23T08:00:00Z",
        string agent = "agent-1",
        string errorMessage = "boom") =>
        new(
            $$"""{"results":[{"batchId":"{{batch}}","testBatch":1"""
            + $$""","assembly":"Tests","name":"{{name}}","displayName":"{{name}}","outcome":{{outcome}}"""
            + $$""","durationMillis":100,"finishedAt":"{{finishedAt}}","agent":"{{agent}}","attempt":"attempt-"""
            + $$"""1","errorMessage":"{{errorMessage}}"}]}""",
            Encoding.UTF8,
            "application/json");

    private static async Task<IReadOnlyList<string>> RefusedAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), body);
        var problem = System.Text.Json.JsonDocument.Parse(body).RootElement;
        Assert.That(problem.GetProperty("code").GetString(), Is.EqualTo("BB5001"));
        return [.. problem.GetProperty("errors").EnumerateArray().Select(error => error.GetString()!)];
    }

    [TestCase("LeaseTimeout", "10000000.00:00:00")]
    [TestCase("MaxBatchAge", "400.00:00:00")]
    [TestCase("IdleTimeout", "3650.00:00:00")]
    [TestCase("SweepInterval", "30.00:00:00")]
    [TestCase("ReadyTimeout", "2.00:00:00")]
    public async Task A_time_span_that_would_overflow_a_date_or_a_timer_stops_the_start(string setting, string value)
    {
        var (app, problems) = await BatchServer.CreateAsync(
            [],
            builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["BatchBuild:Provider"] = Database.Provider,
                ["BatchBuild:ConnectionString"] = Database.Connection,
                ["BatchBuild:ApiKeyHashes:0"] = ApiKeys.Hash(RunningServer.Key),
                [$"BatchBuild:{setting}"] = value,
            }));

        Assert.That(app, Is.Null);
        Assert.That(problems, Has.One.StartsWith($"BB5005: BatchBuild:{setting} is").And.Contains("up to"));
    }

    [Test]
    public async Task A_lease_timeout_at_its_ceiling_leases_without_overflow()
    {
        await using var server = await RunningServer.StartAsync(
            Database,
            new Dictionary<string, string?> { ["BatchBuild:LeaseTimeout"] = "365.00:00:00" });
        using var registered = await server.Client.PostAsJsonAsync(
            "api/v1/batches/lease-1/queue", new QueueRegistration(
                "Tests",
                "agent-1",
                [new QueuedTestBatchDto(["A.One"], 10)]), ApiJson.Default.QueueRegistration);
        using var leased = await server.Client.PostAsJsonAsync(
            "api/v1/batches/lease-1/leases",
            new LeaseRequest("Tests", "agent-1"),
            ApiJson.Default.LeaseRequest);

        Assert.That(
            (registered.StatusCode, leased.StatusCode),
            Is.EqualTo((HttpStatusCode.OK, HttpStatusCode.OK)),
            await leased.Content.ReadAsStringAsync());
    }

    [TestCase("\"Passed, Failed\"")]
    [TestCase("\"failed,passed\"")]
    [TestCase("1")]
    [TestCase("\" failed\"")]
    [TestCase("\"Unknown\"")]
    public async Task An_outcome_is_one_of_its_names_never_a_list_or_a_number(string outcome)
    {
        await using var server = await RunningServer.StartAsync(Database);

        using var response = await server.Client.PostAsync("api/v1/results", Report(outcome: outcome));

        Assert.That(
            await RefusedAsync(response),
            Has.One.Contains("$.results[0].outcome").And.Contains("one of passed, failed, skipped, none"));
        Assert.That((await server.ListAsync()).Total, Is.Zero, "nothing was written");
    }

    [Test]
    public async Task An_outcome_name_in_any_case_is_taken_and_a_state_filter_is_one_name()
    {
        await using var server = await RunningServer.StartAsync(Database);

        using var upper = await server.Client.PostAsync("api/v1/results", Report(outcome: "\"FAILED\""));
        using var list = await server.Client.GetAsync("api/v1/batches?state=active,closed");
        using var number = await server.Client.GetAsync("api/v1/batches?state=1");

        Assert.That(upper.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await server.ListAsync()).Batches.Single().Counts.Failed, Is.EqualTo(1));
        Assert.That(await RefusedAsync(list), Has.One.StartsWith("state:"));
        Assert.That(await RefusedAsync(number), Has.One.StartsWith("state:"));
    }

    [Test]
    public async Task An_escaped_lone_surrogate_is_stored_as_the_replacement_character_as_documented()
    {
        await using var server = await RunningServer.StartAsync(Database);

        using var response = await server.Client.PostAsync(
            "api/v1/results",
            Report(name: "A.\\ud800Name", errorMessage: "low \\udc00 and a pair \\ud83d\\ude00"));
        using var inId = await server.Client.PostAsync("api/v1/results", Report(batch: "id-\\ud800"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var stored = (await server.Client.GetFromJsonAsync(
            "api/v1/batches/rules-1/1/results",
            ApiJson.Default.BatchResultsDto))!.Results.Single();
        Assert.That(
            (stored.Name, stored.ErrorMessage),
            Is.EqualTo(("A.\uFFFDName", "low \uFFFD and a pair \U0001F600")));
        Assert.That(
            await RefusedAsync(inId),
            Has.One.StartsWith("results[0].batchId:"),
            "a batch ID is never changed, so it is refused");
    }

    [TestCase("2026-11-23T08:00:00")]
    [TestCase("2026-11-23T08:00:00.123")]
    [TestCase("2026-11-23")]
    public async Task A_finish_time_without_an_offset_is_refused(string finishedAt)
    {
        await using var server = await RunningServer.StartAsync(Database);

        using var local = await server.Client.PostAsync("api/v1/results", Report(finishedAt: finishedAt));
        using var offset = await server.Client.PostAsync(
            "api/v1/results",
            Report(finishedAt: "2026-11-23T09:00:00+01:00"));

        Assert.That(
            await RefusedAsync(local),
            Has.One.Contains("$.results[0].finishedAt").And.Contains("with an offset"));
        Assert.That(offset.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var stored = (await server.Client.GetFromJsonAsync(
            "api/v1/batches/rules-1/1/results",
            ApiJson.Default.BatchResultsDto))!.Results.Single();
        Assert.That(stored.FinishedAt, Is.EqualTo(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero)));
    }

    [TestCase("a\\u0000b")]
    [TestCase("a\\ud800b")]
    [TestCase("a\\u0001b")]
    [TestCase("a\\nb")]
    public async Task Agent_names_the_store_would_change_are_refused_so_two_agents_never_count_as_one(string agent)
    {
        await using var server = await RunningServer.StartAsync(Database);

        using var replaced = await server.Client.PostAsync("api/v1/results", Report(agent: "a\uFFFDb"));
        using var refused = await server.Client.PostAsync("api/v1/results", Report(name: "A.Two", agent: agent));
        using var queued = await server.Client.PostAsync(
            "api/v1/batches/rules-1/queue",
            new StringContent(
                $$"""{"assembly":"Tests","agent":"{{agent}}","testBatches":[{"tests":["A.One"],"expectedMillis":1}]}""",
                Encoding.UTF8,
                "application/json"));
        using var leased = await server.Client.PostAsync(
            "api/v1/batches/rules-1/leases",
            new StringContent($$"""{"assembly":"Tests","agent":"{{agent}}"}""", Encoding.UTF8, "application/json"));
        using var heartbeat = await server.Client.PostAsync(
            "api/v1/batches/rules-1/leases/l-1/heartbeat",
            new StringContent($$"""{"agent":"{{agent}}"}""", Encoding.UTF8, "application/json"));

        Assert.That(replaced.StatusCode, Is.EqualTo(HttpStatusCode.OK), "U+FFFD itself is a character like any other");
        Assert.That(
            await RefusedAsync(refused),
            Has.One.StartsWith("results[0].agent:").And.Contains("no control characters or unpaired surrogates"));
        Assert.That(await RefusedAsync(queued), Has.One.StartsWith("agent:"));
        Assert.That(await RefusedAsync(leased), Has.One.StartsWith("agent:"));
        Assert.That(await RefusedAsync(heartbeat), Has.One.StartsWith("agent:"));
        var batch = (await server.ListAsync()).Batches.Single();
        Assert.That((batch.Counts.Total, batch.Counts.Agents), Is.EqualTo((1, 1)));
    }

    [TestCase("POST", "/api/v1/batches/x/../y/close")]
    [TestCase("POST", "/api/v1/batches/x/%2E%2E/y/close")]
    [TestCase("POST", "/api/v1/batches/x/./close")]
    [TestCase("DELETE", "/api/sessions/batches/x/../y/close/bypointerid")]
    public async Task A_path_with_dot_segments_is_refused_instead_of_acting_on_another_batch(string method, string path)
    {
        await using var server = await RunningServer.StartAsync(Database);
        await server.ReportAsync(new ResultDto(
            "x",
            1,
            "Tests",
            "A.One",
            "A.One",
            Core.Durations.TestRunOutcome.Passed,
            1,
            DateTimeOffset.UtcNow,
            "agent-1",
            "attempt-1",
            null));
        await server.ReportAsync(new ResultDto(
            "y",
            1,
            "Tests",
            "A.One",
            "A.One",
            Core.Durations.TestRunOutcome.Passed,
            1,
            DateTimeOffset.UtcNow,
            "agent-1",
            "attempt-1",
            null));

        var (status, body) = await RawHttp.SendAsync(
            server.Url,
            method,
            path,
            $"X-BatchBuild-Api-Key: {RunningServer.Key}");

        Assert.That(status, Is.EqualTo(400), body);
        Assert.That(body, Does.Contain("BB5001").And.Contain("'..' segment"));
        Assert.That(
            (await server.ListAsync()).Batches.Select(b => (b.BatchId, b.State)),
            Is.EquivalentTo(new[] { ("x", "active"), ("y", "active") }));
    }

    [TestCase("api%4Bey")]
    [TestCase("%61pi%4bey")]
    [TestCase("APIKEY")]
    public async Task A_key_parameter_with_an_encoded_name_is_taken_out_of_the_url_before_the_log(string parameter)
    {
        var logs = new LogCapture();
        var everything = new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Trace",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
            ["Logging:LogLevel:Microsoft"] = "Trace",
        };
        await using var server = await RunningServer.StartAsync(Database, everything, logs: logs);
        await server.ReportAsync(new ResultDto(
            "logged-2",
            1,
            "Tests",
            "A.One",
            "A.One",
            Core.Durations.TestRunOutcome.Passed,
            1,
            DateTimeOffset.UtcNow,
            "agent-1",
            "attempt-1",
            null));

        using var closed = await server.Anonymous.DeleteAsync(
            $"api/sessions/batches/logged-2/close/bypointerid?{parameter}={Uri.EscapeDataString(RunningServer.Key)}"
            + "&other=1");

        Assert.That(closed.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the key is still taken from the URL");
        var lines = logs.Lines.Select(line => line.Text).ToList();
        Assert.That(
            lines,
            Has.Some.Contains("/api/sessions/batches/logged-2/close/bypointerid"),
            "requests are logged");
        Assert.That(
            lines,
            Has.None.Contains(RunningServer.Key).And.None.Contains(Uri.EscapeDataString(RunningServer.Key)));
        Assert.That(lines, Has.Some.Contains("other=1"), "the rest of the query stays");
    }

    [Test]
    public async Task Readiness_changes_nothing_in_the_store()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var server = await RunningServer.StartAsync(
            Database,
            new Dictionary<string, string?> { ["BatchBuild:SweepInterval"] = "1.00:00:00" },
            clock);
        await server.ReportAsync(new ResultDto(
            "idle-1",
            1,
            "Tests",
            "A.One",
            "A.One",
            Core.Durations.TestRunOutcome.Passed,
            1,
            clock.Now,
            "agent-1",
            "attempt-1",
            null));

        // Past the idle timeout: the next write would close the batch; the sweeper's next round is a day away.
        clock.Now += TimeSpan.FromHours(4);
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            using var ready = await server.Anonymous.GetAsync("ready");
            return ready.StatusCode;
        }));

        Assert.That(answers, Is.All.EqualTo(HttpStatusCode.OK));
        Assert.That(
            (await server.ListAsync()).Batches.Single().State,
            Is.EqualTo("active"),
            "no probe closed the expired batch: none wrote");
    }
}
