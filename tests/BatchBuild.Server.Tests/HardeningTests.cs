using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using BatchBuild.Client;
using BatchBuild.Core.Api;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Durations;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace BatchBuild.Server.Tests;

/// <summary>
/// The server as an attacker or a careless client meets it, on both databases: text the database
/// cannot keep, numbers out of range, free-text batch IDs, keys in URLs and logs,
/// readiness while writes are blocked, cross-site requests and the dashboard's headers.
/// </summary>
[TestFixtureSource(typeof(TestDatabase), nameof(TestDatabase.Providers))]
public sealed class HardeningTests(string provider) : DatabaseTest(provider)
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private static ResultDto Result(string batch, string name, string agent = "agent-1") =>
        new(batch, 1, "Tests", name, name, TestRunOutcome.Failed, 100, Now, agent, "attempt-1", $"{name} failed");

    private static StringContent Json<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        new(JsonSerializer.Serialize(value, type), Encoding.UTF8, "application/json");

    private static string Route(string id) => Uri.EscapeDataString(id);

    [Test]
    public async Task Text_the_database_cannot_keep_is_stored_replaced_and_never_taken_for_an_outage()
    {
        await using var server = await RunningServer.StartAsync(Database);
        var report = new ResultsRequest([Result(
            "nul-1",
            "A.Nul\0Name") with { ErrorMessage = "expected \0 but was \uD800" }]);

        using var response = await server.Client.PostAsync(
            "api/v1/results",
            Json(report, ApiJson.Default.ResultsRequest));
        using var durations = await server.Client.PostAsync(
            "api/v1/durations",
            Json(
                new DurationsRequest([new TestDto("Tests", "A.Nul\0Name")], 90, null, null),
                ApiJson.Default.DurationsRequest));

        Assert.That(
            (response.StatusCode, durations.StatusCode),
            Is.EqualTo((HttpStatusCode.OK, HttpStatusCode.OK)),
            await response.Content.ReadAsStringAsync());
        var stored = (await server.Client.GetFromJsonAsync(
            "api/v1/batches/nul-1/1/results",
            ApiJson.Default.BatchResultsDto))!.Results.Single();
        Assert.That(
            (stored.Name, stored.ErrorMessage),
            Is.EqualTo(("A.Nul\uFFFDName", "expected \uFFFD but was \uFFFD")));
        var runs = (await durations.Content.ReadFromJsonAsync(ApiJson.Default.DurationsResponse))!;
        Assert.That(runs.Durations.Single().Name, Is.EqualTo("A.Nul\uFFFDName"), "the cleaned name is found again");
    }

    [TestCase(1.7e308, "0001-01-01T00:00:00Z", 1, "results[0].durationMillis")]
    [TestCase(1000, "0001-01-01T00:00:00Z", 1, "results[0].finishedAt")]
    [TestCase(1000, "2300-01-01T00:00:00Z", 1, "results[0].finishedAt")]
    [TestCase(1e300, "2026-11-23T08:00:00Z", 1, "results[0].durationMillis")]
    [TestCase(1000, "2026-11-23T08:00:00Z", 2_000_000_000, "results[0].testBatch")]
    public async Task Numbers_and_times_out_of_their_range_are_refused_naming_the_field(
        double millis,
        string finished,
        int testBatch,
        string field)
    {
        await using var server = await RunningServer.StartAsync(Database);
        var report = new ResultsRequest([Result("range-1", "A.One") with
        {
            DurationMillis = millis,
            FinishedAt = DateTimeOffset.Parse(finished, System.Globalization.CultureInfo.InvariantCulture),
            TestBatch = testBatch,
        }]);

        using var response = await server.Client.PostAsync(
            "api/v1/results",
            Json(report, ApiJson.Default.ResultsRequest));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var problem = await ServerApiTests.ProblemAsync(response);
        Assert.That(problem.GetProperty("code").GetString(), Is.EqualTo("BB5001"));
        Assert.That(
            problem.GetProperty("errors").EnumerateArray().Select(e => e.GetString()),
            Has.Some.StartsWith(field));
        Assert.That((await server.ListAsync()).Total, Is.Zero, "nothing was written");
        Assert.That((await server.Anonymous.GetAsync("health")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    public static readonly string[] FreeTextIds =
    [
        "Nightly build 42", "feature/login#3", "100% done", "a%2Fb", "what?", "a+b", "résumé", "日本",
        "x?apiKey=y&z",
        string.Concat(Enumerable.Repeat("日本", BatchId.MaxLength / 2)),
    ];

    [Test]
    public async Task Free_text_batch_ids_are_reported_read_and_closed_exactly_on_both_close_routes()
    {
        await using var server = await RunningServer.StartAsync(Database);
        using var http = Http.CreateClient(null);
        var closer = new ServerBatchCloser(http, server.Url, RunningServer.Key, TimeSpan.FromSeconds(10));
        for (var i = 0; i < FreeTextIds.Length; i++)
        {
            var id = FreeTextIds[i];
            await server.ReportAsync(Result(id, "A.One"));
            var latest = (await server.Client.GetFromJsonAsync(
                $"api/v1/batches/{Route(id)}",
                ApiJson.Default.BatchDto))!;
            var results = (await server.Client.GetFromJsonAsync(
                $"api/v1/batches/{Route(id)}/1/results",
                ApiJson.Default.BatchResultsDto))!;
            Assert.That(
                (latest.BatchId, results.Batch.BatchId, results.Results.Single().BatchId),
                Is.EqualTo((id, id, id)));

            if (i % 3 == 0)
            {
                using var closed = await server.Client.PostAsync(
                    $"api/v1/batches/{Route(id)}/close",
                    new StringContent("", Encoding.UTF8, "application/json"));
                Assert.That(closed.StatusCode, Is.EqualTo(HttpStatusCode.OK), id);
            }
            else if (i % 3 == 1)
            {
                using var closed = await server.Anonymous.DeleteAsync(
                    $"api/sessions/batches/{Route(id)}/close/bypointerId"
                    + $"?apiKey={Uri.EscapeDataString(RunningServer.Key)}");
                Assert.That(closed.StatusCode, Is.EqualTo(HttpStatusCode.OK), id);
            }
            else
            {
                Assert.That(
                    (await closer.CloseAsync([BatchId.Parse(id)], CancellationToken.None)).Single().Status,
                    Is.EqualTo(ServerCloseStatus.Closed),
                    id);
            }

            var after = (await server.Client.GetFromJsonAsync(
                $"api/v1/batches/{Route(id)}/1",
                ApiJson.Default.BatchDto))!;
            Assert.That((after.BatchId, after.State), Is.EqualTo((id, "closed")));
        }

        var page = await server.ListAsync("?pageSize=100");
        Assert.That(
            page.Batches.Select(b => b.BatchId),
            Is.EquivalentTo(FreeTextIds),
            "each ID is its own batch: 'a%2Fb' is not 'a/b'");
        using var tooLong = await server.Client.GetAsync($"api/v1/batches/{new string('a', BatchId.MaxLength + 1)}");
        using var control = await server.Client.GetAsync("api/v1/batches/a%01b");
        Assert.That(
            (tooLong.StatusCode, control.StatusCode),
            Is.EqualTo((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest)));
    }

    [Test]
    public async Task The_visual_testing_close_takes_a_slash_in_the_id_unencoded_as_the_Eyes_sdks_send_it()
    {
        await using var server = await RunningServer.StartAsync(Database);
        await server.ReportAsync(Result("feature/login", "A.One"), Result("release 7/rc", "A.One"));

        using var raw = await server.Client.DeleteAsync("api/sessions/batches/feature/login/close/bypointerId");
        using var mixed = await server.Client.DeleteAsync("api/sessions/batches/release%207/rc/close/bypointerid");
        using var elsewhere = await server.Client.DeleteAsync("api/sessions/batches/feature/login/open");

        Assert.That(
            (raw.StatusCode, mixed.StatusCode, elsewhere.StatusCode),
            Is.EqualTo((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.NotFound)));
        Assert.That(
            (await ServerApiTests.ProblemAsync(elsewhere)).GetProperty("code").GetString(),
            Is.EqualTo("BB5007"));
        Assert.That(
            (await server.ListAsync()).Batches.Select(b => (b.BatchId, b.State)),
            Is.EquivalentTo(new[] { ("feature/login", "closed"), ("release 7/rc", "closed") }));
    }

    [Test]
    public async Task A_key_sent_in_the_url_never_reaches_the_log_at_any_level()
    {
        var logs = new LogCapture();
        var everything = new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Trace",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
            ["Logging:LogLevel:Microsoft"] = "Trace",
        };
        await using var server = await RunningServer.StartAsync(Database, everything, logs: logs);
        await server.ReportAsync(Result("logged-1", "A.One"));

        using var closed = await server.Anonymous.DeleteAsync(
            $"api/sessions/batches/logged-1/close/bypointerid?apiKey={Uri.EscapeDataString(RunningServer.Key)}"
            + "&other=1");
        using var refused = await server.Anonymous.DeleteAsync(
            "api/sessions/batches/logged-1/close/bypointerid?apiKey=bb_wrong-key-in-url");

        Assert.That(
            (closed.StatusCode, refused.StatusCode),
            Is.EqualTo((HttpStatusCode.OK, HttpStatusCode.Unauthorized)));
        var lines = logs.Lines.Select(line => line.Text).ToList();
        Assert.That(
            lines,
            Has.Some.Contains("/api/sessions/batches/logged-1/close/bypointerid"),
            "requests are logged");
        Assert.That(lines, Has.None.Contains(RunningServer.Key).And.None.Contains("bb_wrong-key-in-url"));
        Assert.That(lines, Has.Some.Contains("other=1"), "the rest of the query stays");
    }

    [Test]
    public async Task Readiness_fails_while_writes_are_blocked_and_tells_nobody_where_the_database_is()
    {
        await using var server = await RunningServer.StartAsync(
            Database,
            new Dictionary<string, string?> { ["BatchBuild:ReadyTimeout"] = "00:00:01" });
        Assert.That((await server.Anonymous.GetAsync("ready")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        await using (await HoldWriteLockAsync())
        {
            using var blocked = await server.Anonymous.GetAsync("ready");
            var body = await blocked.Content.ReadAsStringAsync();

            Assert.That(blocked.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), body);
            Assert.That(JsonDocument.Parse(body).RootElement.GetProperty("code").GetString(), Is.EqualTo("BB2001"));
            Assert.That(
                body,
                Does.Not.Contain("127.0.0.1").And.Not.Contain("batchbuild_test").And.Not.Contain(Path.GetTempPath()));
        }

        Assert.That(
            (await server.Anonymous.GetAsync("ready")).StatusCode,
            Is.EqualTo(HttpStatusCode.OK),
            "ready again once writes go through");
    }

    [Test]
    public async Task A_database_that_cannot_be_used_is_a_503_with_a_code_and_without_its_whereabouts()
    {
        await using var server = await RunningServer.StartAsync(Database);
        await server.ReportAsync(Result("down-1", "A.One"));
        var name = new NpgsqlConnectionStringBuilder(
            Database.Provider == "postgres" ? Database.Connection : "").Database;

        // The database goes away under the running server: a damaged file, or no connections allowed.
        if (Database.Provider == "sqlite")
        {
            SqliteConnection.ClearAllPools();
            File.WriteAllBytes(Database.Connection, new byte[8192]);
            SqliteConnection.ClearAllPools();
        }
        else
        {
            await using var admin = new NpgsqlConnection(
                Environment.GetEnvironmentVariable("BATCHBUILD_TEST_POSTGRES"));
            await admin.OpenAsync();
            await using var refuse = new NpgsqlCommand(
                $"ALTER DATABASE {name} WITH ALLOW_CONNECTIONS false; SELECT pg_terminate_backend(pid) FROM "
                + $"pg_stat_activity WHERE datname = '{name}'",
                admin);
            await refuse.ExecuteNonQueryAsync();
        }

        using var read = await server.Client.GetAsync("api/v1/batches");
        var body = await read.Content.ReadAsStringAsync();

        Assert.That(read.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), body);
        Assert.That(JsonDocument.Parse(body).RootElement.GetProperty("code").GetString(), Is.EqualTo("BB2001"));
        Assert.That(
            body,
            Does.Not.Contain("127.0.0.1").And.Not.Contain(Path.GetTempPath()).And.Not.Contain("batchbuild_test"));
    }

    // Another writer holds the database's write lock, as a stuck transaction would.
    private async Task<IAsyncDisposable> HoldWriteLockAsync()
    {
        if (Database.Provider == "sqlite")
        {
            var sqlite = new SqliteConnection($"Data Source={Database.Connection};Pooling=False");
            await sqlite.OpenAsync();
            var transaction = sqlite.BeginTransaction(deferred: false);
            return new Held(async () =>
            {
                await transaction.RollbackAsync();
                await sqlite.DisposeAsync();
            });
        }

        var postgres = new NpgsqlConnection(Database.Connection);
        await postgres.OpenAsync();
        await using (var command = new NpgsqlCommand("SELECT pg_advisory_lock(4783232249543945316)", postgres))
        {
            await command.ExecuteNonQueryAsync();
        }

        return new Held(() => postgres.DisposeAsync());
    }

    private sealed class Held(Func<ValueTask> release) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => release();
    }

    [Test]
    public async Task A_cross_site_form_cannot_close_a_batch_on_an_anonymous_server()
    {
        await using var server = await RunningServer.StartAsync(
            Database,
            new Dictionary<string, string?> { ["BatchBuild:AllowAnonymous"] = "true" });
        await server.ReportAsync(Result("csrf-1", "A.One"));

        using var form = new HttpRequestMessage(
            HttpMethod.Post,
            "api/v1/batches/csrf-1/close")
        { Content = new FormUrlEncodedContent([]) };
        form.Headers.Add("Origin", "http://attacker.example");
        form.Headers.Add("Sec-Fetch-Site", "cross-site");
        using var fromForm = await server.Anonymous.SendAsync(form);
        using var fromScript = new HttpRequestMessage(HttpMethod.Post, "api/v1/batches/csrf-1/close");
        fromScript.Headers.Add("Origin", "http://attacker.example");
        using var fromPage = await server.Anonymous.SendAsync(fromScript);
        using var plain = await server.Anonymous.PostAsync(
            "api/v1/batches/csrf-1/close",
            new StringContent("", Encoding.UTF8, "text/plain"));

        Assert.That(
            (fromForm.StatusCode, fromPage.StatusCode, plain.StatusCode),
            Is.EqualTo((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.UnsupportedMediaType)));
        Assert.That(
            (await ServerApiTests.ProblemAsync(fromForm)).GetProperty("code").GetString(),
            Is.EqualTo("BB5008"));
        Assert.That((await server.ListAsync()).Batches.Single().State, Is.EqualTo("active"));

        using var script = await server.Anonymous.PostAsync("api/v1/batches/csrf-1/close", null);
        Assert.That(
            script.StatusCode,
            Is.EqualTo(HttpStatusCode.OK),
            "a client that is not a web page closes as before");
        Assert.That((await server.ListAsync()).Batches.Single().State, Is.EqualTo("closed"));
    }

    [Test]
    public async Task The_dashboard_allows_only_its_own_script_and_no_framing()
    {
        await using var server = await RunningServer.StartAsync(Database);

        using var page = await server.Anonymous.GetAsync("");
        using var api = await server.Anonymous.GetAsync("api/v1/batches");

        var policy = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.That(
            policy,
            Does.Contain("default-src 'none'").And.Contain("script-src 'sha256-").And.Contain(
                "frame-ancestors 'none'").And.Not.Contain("unsafe-inline"));
        Assert.That(page.Headers.GetValues("X-Frame-Options").Single(), Is.EqualTo("DENY"));
        Assert.That(page.Headers.GetValues("X-Content-Type-Options").Single(), Is.EqualTo("nosniff"));
        Assert.That(api.Headers.GetValues("X-Content-Type-Options").Single(), Is.EqualTo("nosniff"));
    }

    [Test]
    public async Task Errors_the_framework_answers_carry_a_code_that_says_what_is_wrong()
    {
        await using var server = await RunningServer.StartAsync(Database);

        using var unknown = await server.Client.GetAsync("api/v1/nothing-here");
        using var notANumber = await server.Client.GetAsync("api/v1/batches?page=abc");

        Assert.That(
            (unknown.StatusCode, notANumber.StatusCode),
            Is.EqualTo((HttpStatusCode.NotFound, HttpStatusCode.BadRequest)));
        Assert.That((await ServerApiTests.ProblemAsync(unknown)).GetProperty("code").GetString(), Is.EqualTo("BB5007"));
        var problem = await ServerApiTests.ProblemAsync(notANumber);
        Assert.That(problem.GetProperty("code").GetString(), Is.EqualTo("BB5001"));
        Assert.That(
            problem.GetProperty("detail").GetString(),
            Does.Contain("not of its type").And.Not.Contain("database"));
    }
}
