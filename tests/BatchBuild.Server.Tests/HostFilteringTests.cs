using System.Net;
using System.Text;
using BatchBuild.Core.Api;
using BatchBuild.Core.Durations;
using Microsoft.Extensions.Configuration;

namespace BatchBuild.Server.Tests;

/// <summary>
/// DNS rebinding, on both databases: a page whose host name an attacker points at the server is on
/// its own origin as far as the browser knows, so only the host name it sends gives it away.
/// </summary>
[TestFixtureSource(typeof(TestDatabase), nameof(TestDatabase.Providers))]
public sealed class HostFilteringTests(string provider) : DatabaseTest(provider)
{
    private static ResultDto Result(string batch) =>
        new(
            batch,
            1,
            "Tests",
            "A.One",
            "A.One",
            TestRunOutcome.Passed,
            1,
            DateTimeOffset.UtcNow,
            "agent-1",
            "attempt-1",
            null);

    private static async Task<(HttpStatusCode Status, string? Code)> SendAsync(
        HttpClient client,
        HttpMethod method,
        string path,
        string? host = null,
        string? origin = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (method == HttpMethod.Post)
        {
            request.Content = new StringContent("", Encoding.UTF8, "application/json");
        }

        if (host is not null)
        {
            request.Headers.Host = host;
        }

        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return (
            response.StatusCode,
            body.StartsWith('{')
                && System.Text.Json.JsonDocument.Parse(body).RootElement.TryGetProperty("code", out var code)
                ? code.GetString()
                : null);
    }

    [Test]
    public async Task A_rebound_host_name_reads_and_writes_nothing_on_an_anonymous_server()
    {
        await using var server = await RunningServer.StartAsync(
            Database,
            new Dictionary<string, string?>
            {
                ["BatchBuild:AllowAnonymous"] = "true",
                ["AllowedHosts"] = "127.0.0.1;ci-batches.example",
            });
        await server.ReportAsync(Result("rebind-1"));
        var evil = $"evil.example:{server.Url.Port}";

        // What the rebound page sends: its own host name, and its own origin, which equals it.
        var close = await SendAsync(
            server.Anonymous,
            HttpMethod.Post,
            "api/v1/batches/rebind-1/close",
            evil,
            $"http://{evil}");
        var read = await SendAsync(server.Anonymous, HttpMethod.Get, "api/v1/batches", evil);
        var dashboard = await SendAsync(server.Anonymous, HttpMethod.Get, "", evil);
        var eyes = await SendAsync(
            server.Anonymous,
            HttpMethod.Delete,
            "api/sessions/batches/rebind-1/close/bypointerid",
            "evil.example");

        Assert.That(new[] { close, read, dashboard, eyes }, Is.All.EqualTo((HttpStatusCode.BadRequest, "BB5013")));
        Assert.That((await server.ListAsync()).Batches.Single().State, Is.EqualTo("active"));

        var allowedName = await SendAsync(
            server.Anonymous,
            HttpMethod.Get,
            "api/v1/batches",
            $"ci-batches.example:{server.Url.Port}");
        var closed = await SendAsync(server.Anonymous, HttpMethod.Post, "api/v1/batches/rebind-1/close");
        Assert.That(
            (allowedName.Status, closed.Status),
            Is.EqualTo((HttpStatusCode.OK, HttpStatusCode.OK)),
            "an allowed host name, and a client that is not a browser, go through");
        Assert.That((await server.ListAsync()).Batches.Single().State, Is.EqualTo("closed"));
    }

    [Test]
    public async Task A_write_from_an_origin_that_is_not_an_allowed_host_is_refused_on_an_anonymous_server()
    {
        await using var server = await RunningServer.StartAsync(
            Database,
            new Dictionary<string, string?> { ["BatchBuild:AllowAnonymous"] = "true", ["AllowedHosts"] = "127.0.0.1" });
        await server.ReportAsync(Result("origin-1"));

        var crossOrigin = await SendAsync(
            server.Anonymous,
            HttpMethod.Post,
            "api/v1/batches/origin-1/close",
            origin: "http://evil.example");
        var otherScheme = await SendAsync(
            server.Anonymous,
            HttpMethod.Delete,
            "api/sessions/batches/origin-1/close/bypointerid",
            origin: $"https://127.0.0.1:{server.Url.Port}");
        var opaque = await SendAsync(
            server.Anonymous,
            HttpMethod.Post,
            "api/v1/batches/origin-1/close",
            origin: "null");

        Assert.That(new[] { crossOrigin, otherScheme, opaque }, Is.All.EqualTo((HttpStatusCode.Forbidden, "BB5008")));
        Assert.That((await server.ListAsync()).Batches.Single().State, Is.EqualTo("active"));

        var ownOrigin = await SendAsync(
            server.Anonymous,
            HttpMethod.Post,
            "api/v1/batches/origin-1/close",
            origin: server.Url.GetLeftPart(UriPartial.Authority));
        Assert.That(ownOrigin.Status, Is.EqualTo(HttpStatusCode.OK), "the server's own pages may write");
    }

    [TestCase("BatchBuild:AllowAnonymous", null)]
    [TestCase("BatchBuild:AllowAnonymous", "*")]
    [TestCase("BatchBuild:OpenReads", null)]
    [TestCase("BatchBuild:OpenReads", "ci-batches;*")]
    public async Task A_server_that_answers_without_a_key_does_not_start_without_its_host_names(
        string setting,
        string? allowedHosts)
    {
        var (app, problems) = await BatchServer.CreateAsync(
            [],
            builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["BatchBuild:Provider"] = Database.Provider,
                ["BatchBuild:ConnectionString"] = Database.Connection,
                ["BatchBuild:ApiKeyHashes:0"] = ApiKeys.Hash(RunningServer.Key),
                [setting] = "true",
                ["AllowedHosts"] = allowedHosts,
            }));

        Assert.That(app, Is.Null);
        Assert.That(problems, Has.One.StartsWith($"BB5005: {setting}").And.Contains("AllowedHosts"));
    }

    [Test]
    public async Task A_server_with_keys_only_starts_without_host_names_and_still_refuses_others_when_given()
    {
        await using (var open = await RunningServer.StartAsync(
            Database,
            new Dictionary<string, string?> { ["AllowedHosts"] = null }))
        {
            Assert.That(
                (await SendAsync(open.Client, HttpMethod.Get, "api/v1/batches", "anything.example")).Status,
                Is.EqualTo(HttpStatusCode.OK));
        }

        await using var server = await RunningServer.StartAsync(
            Database,
            new Dictionary<string, string?> { ["AllowedHosts"] = "*.example.com" });
        var sub = await SendAsync(server.Client, HttpMethod.Get, "api/v1/batches", "ci.example.com");
        var other = await SendAsync(server.Client, HttpMethod.Get, "api/v1/batches", "ci.example.org");
        Assert.That((sub.Status, other), Is.EqualTo((HttpStatusCode.OK, (HttpStatusCode.BadRequest, "BB5013"))));
    }
}
