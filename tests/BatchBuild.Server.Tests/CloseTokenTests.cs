using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using BatchBuild.Client;
using BatchBuild.Core;
using BatchBuild.Core.Api;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Configuration;
using BatchBuild.Core.Durations;
using BatchBuild.Lifecycle;

namespace BatchBuild.Server.Tests;

/// <summary>
/// Close tokens, on both databases: the server issues them with a secret its store keeps, so
/// nothing in its configuration makes one; a token closes its batch ID until it expires and does
/// nothing else; and a close request written to disk closes through real HTTP without the key.
/// </summary>
[TestFixtureSource(typeof(TestDatabase), nameof(TestDatabase.Providers))]
public sealed class CloseTokenTests(string provider) : DatabaseTest(provider)
{
    private string _folder = string.Empty;

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("batchbuild-close-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private static ResultDto Result(string batch, DateTimeOffset finished) =>
        new(batch, 1, "Tests", "A.One", "A.One", TestRunOutcome.Passed, 1, finished, "agent-1", "attempt-1", null);

    private static async Task<CloseTokenDto> IssueAsync(HttpClient client, string id)
    {
        using var response = await client.PostAsync($"api/v1/batches/{Uri.EscapeDataString(id)}/close-token", null);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync(ApiJson.Default.CloseTokenDto))!;
    }

    private static async Task<(HttpStatusCode Status, string Body)> WithTokenAsync(
        RunningServer server,
        HttpMethod method,
        string path,
        string token)
    {
        using var request = new HttpRequestMessage(method, path);
        if (method == HttpMethod.Post)
        {
            request.Content = new StringContent(
                path.EndsWith("results", StringComparison.Ordinal) ? "{\"results\":[]}" : "",
                Encoding.UTF8,
                "application/json");
        }

        request.Headers.Add(CloseToken.Header, token);
        using var response = await server.Anonymous.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    // A token as BatchBuild made them before: an HMAC keyed by the SHA-256 of the key, which is
    // exactly the configured ApiKeyHashes value.
    private static string FromConfiguredHash(string prefix, string id, DateTimeOffset expires)
    {
        var configured = Convert.FromHexString(ApiKeys.Hash(RunningServer.Key)["sha256:".Length..]);
        var expiry = expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(configured, Encoding.UTF8.GetBytes($"batchbuild-close\n{expiry}\n{id}"));
        return $"{prefix}{expiry}.{Convert.ToHexStringLower(mac)}";
    }

    [Test]
    public async Task A_token_made_from_the_configured_key_hash_closes_nothing()
    {
        await using var server = await RunningServer.StartAsync(Database);
        await server.ReportAsync(Result("minted-1", DateTimeOffset.UtcNow));
        var expires = DateTimeOffset.UtcNow.AddDays(1);

        var retired = await WithTokenAsync(
            server,
            HttpMethod.Delete,
            "api/sessions/batches/minted-1/close/bypointerid",
            FromConfiguredHash("bbc1.", "minted-1", expires));
        var current = await WithTokenAsync(
            server,
            HttpMethod.Post,
            "api/v1/batches/minted-1/close",
            FromConfiguredHash("bbc2.", "minted-1", expires));

        Assert.That(
            (retired.Status, current.Status),
            Is.EqualTo((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized)));
        Assert.That(retired.Body, Does.Contain("BB5002").And.Contain("bbc1."));
        Assert.That((await server.ListAsync()).Batches.Single().State, Is.EqualTo("active"));
    }

    [Test]
    public async Task A_server_issued_token_closes_its_batch_only_and_expires()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var server = await RunningServer.StartAsync(
            Database,
            new Dictionary<string, string?>
            {
                ["BatchBuild:MaxBatchAge"] = "2.00:00:00",
                ["BatchBuild:IdleTimeout"] = "3.00:00:00",
            },
            clock);
        await server.ReportAsync(Result("tok-1", clock.Now), Result("tok-2", clock.Now), Result("tok-3", clock.Now));

        var issued = await IssueAsync(server.Client, "tok-1");
        var token = issued.Token;

        Assert.That(token, Does.StartWith("bbc2."));
        Assert.That(
            issued.ExpiresAt,
            Is.EqualTo(clock.Now.AddDays(2)).Within(TimeSpan.FromSeconds(1)),
            "a token lasts as long as a batch may live");
        var elsewhere = new[]
        {
            await WithTokenAsync(server, HttpMethod.Delete, "api/sessions/batches/tok-2/close/bypointerid", token),
            await WithTokenAsync(server, HttpMethod.Post, "api/v1/batches/tok-2/close", token),
            await WithTokenAsync(server, HttpMethod.Post, "api/v1/results", token),
            await WithTokenAsync(server, HttpMethod.Get, "api/v1/batches/tok-1", token),
            await WithTokenAsync(server, HttpMethod.Post, "api/v1/batches/tok-1/close-token", token),
        };
        Assert.That(
            elsewhere.Select(answer => answer.Status),
            Is.All.EqualTo(HttpStatusCode.Unauthorized),
            "another batch, recording, reading, another token");
        Assert.That(
            (await WithTokenAsync(
                server,
                HttpMethod.Delete,
                "api/sessions/batches/tok-1/close/bypointerid",
                token)).Status,
            Is.EqualTo(HttpStatusCode.OK));
        Assert.That(
            (await WithTokenAsync(
                server,
                HttpMethod.Post,
                "api/v1/batches/tok-2/close",
                (await IssueAsync(server.Client, "tok-2")).Token)).Status,
            Is.EqualTo(HttpStatusCode.OK));

        var later = (await IssueAsync(server.Client, "tok-3")).Token;
        clock.Now += TimeSpan.FromDays(2) + TimeSpan.FromMinutes(1);
        var expired = await WithTokenAsync(
            server,
            HttpMethod.Delete,
            "api/sessions/batches/tok-3/close/bypointerid",
            later);

        // By then the batch is past MaxBatchAge too, and the sweeper may have closed it as too old; never the token.
        Assert.That(expired.Status, Is.EqualTo(HttpStatusCode.Unauthorized), expired.Body);
        Assert.That(
            (await server.ListAsync()).Batches.Select(b => (b.BatchId, b.Reason == "explicit")),
            Is.EquivalentTo(new[] { ("tok-1", true), ("tok-2", true), ("tok-3", false) }));
    }

    [Test]
    public async Task The_token_secret_survives_a_restart_and_belongs_to_the_database()
    {
        string token;
        await using (var first = await RunningServer.StartAsync(Database))
        {
            await first.ReportAsync(Result("keep-1", DateTimeOffset.UtcNow));
            token = (await IssueAsync(first.Client, "keep-1")).Token;
        }

        await using (var restarted = await RunningServer.StartAsync(Database))
        {
            Assert.That(
                (await WithTokenAsync(
                    restarted,
                    HttpMethod.Delete,
                    "api/sessions/batches/keep-1/close/bypointerid",
                    token)).Status,
                Is.EqualTo(HttpStatusCode.OK));
        }

        using var other = TestDatabase.Create(Database.Provider);
        await using var elsewhere = await RunningServer.StartAsync(other);
        await elsewhere.ReportAsync(Result("keep-1", DateTimeOffset.UtcNow));
        Assert.That(
            (await WithTokenAsync(
                elsewhere,
                HttpMethod.Delete,
                "api/sessions/batches/keep-1/close/bypointerid",
                token)).Status,
            Is.EqualTo(HttpStatusCode.Unauthorized),
            "another server, with the same key, has its own secret");
    }

    [Test]
    public async Task A_close_request_on_disk_closes_with_the_token_the_server_issued_and_without_the_key()
    {
        await using var server = await RunningServer.StartAsync(Database);
        await server.ReportAsync(Result("request-1", DateTimeOffset.UtcNow));
        using var http = Http.CreateClient(null);
        var id = BatchId.Parse("request-1");
        var settings = BatchLifecycleSettings.Defaults with { ServerUrl = server.Url, ApiKey = RunningServer.Key };
        var (token, detail) = await new ServerBatchCloser(
            http,
            server.Url,
            RunningServer.Key,
            TimeSpan.FromSeconds(10)).RequestCloseTokenAsync(id, CancellationToken.None);

        var json = CloseRequest.From(id, "Tests", Path.Combine(_folder, "batchbuild.db"), settings, token).ToJson();
        var written = CloseRequest.FromJson(json);
        var messages = new List<Diagnostic>();
        var closed = await new BatchCloser(
            written.LifecycleIn(_ => null),
            written.StorePath,
            http,
            messages.Add,
            _ => null)
        {
            CloseTokens = new Dictionary<string, string> { [written.BatchId] = written.CloseToken! },
        }.CloseAsync([id], CancellationToken.None);

        Assert.That(token, Is.Not.Null, detail);
        Assert.That(
            json,
            Does.Contain(token).And.Not.Contain(RunningServer.Key).And.Not.Contain(
                ApiKeys.Hash(RunningServer.Key)["sha256:".Length..]),
            "the key stays off the disk");
        Assert.That(closed, Is.True, string.Join(Environment.NewLine, messages));
        Assert.That((await server.ListAsync()).Batches.Single().State, Is.EqualTo("closed"));
    }

    [Test]
    public async Task Without_a_token_the_close_takes_the_key_from_its_environment_and_says_so_when_it_is_missing()
    {
        await using var server = await RunningServer.StartAsync(Database);
        await server.ReportAsync(
            Result("fallback-1", DateTimeOffset.UtcNow),
            Result("fallback-2", DateTimeOffset.UtcNow));
        using var http = Http.CreateClient(null);
        var away = new Uri($"http://127.0.0.1:{LoopbackServer.FreePort()}/");
        var settings = BatchLifecycleSettings.Defaults with { ServerUrl = server.Url, ApiKey = RunningServer.Key };

        // The server was away when the project asked.
        var (token, detail) = await new ServerBatchCloser(
            http,
            away,
            RunningServer.Key,
            TimeSpan.FromSeconds(5),
            TimeSpan.FromMilliseconds(10))
            .RequestCloseTokenAsync(BatchId.Parse("fallback-1"), CancellationToken.None);
        var messages = new List<Diagnostic>();

        async Task<bool> CloseAsync(string id, string? environmentKey)
        {
            var written = CloseRequest.FromJson(CloseRequest.From(
                BatchId.Parse(id),
                "Tests",
                Path.Combine(_folder, "batchbuild.db"),
                settings,
                token).ToJson());
            Func<string, string?> environment = name => name == "BATCHBUILD_API_KEY" ? environmentKey : null;
            return await new BatchCloser(
                written.LifecycleIn(environment),
                written.StorePath,
                http,
                messages.Add,
                environment)
            { FirstRetryDelay = TimeSpan.FromMilliseconds(10) }
                .CloseAsync([BatchId.Parse(id)], CancellationToken.None);
        }

        Assert.That(token, Is.Null, detail);
        Assert.That(
            await CloseAsync("fallback-1", RunningServer.Key),
            Is.True,
            string.Join(Environment.NewLine, messages));
        Assert.That(await CloseAsync("fallback-2", null), Is.False);
        Assert.That(
            messages.Last().Text,
            Does.Contain("without the API key").And.Contain("BATCHBUILD_API_KEY").And.Contain("BB5014"));
        Assert.That(
            (await server.ListAsync()).Batches.Select(b => (b.BatchId, b.State)),
            Is.EquivalentTo(new[] { ("fallback-1", "closed"), ("fallback-2", "active") }));
    }
}
