using System.Globalization;
using System.Text;
using BatchBuild.Core.Batches;

namespace BatchBuild.Client.Tests;

/// <summary>Closing batches on a server shaped like the Eyes server, over real HTTP on 127.0.0.1.</summary>
public sealed class ServerBatchCloserTests
{
    private static readonly TimeSpan Attempt = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan QuickRetry = TimeSpan.FromMilliseconds(20);

    private static ServerBatchCloser Closer(
        HttpClient http,
        Uri server,
        string? key = "k&y=1 2",
        TimeSpan? attempt = null) =>
        new(http, server, key, attempt ?? Attempt, QuickRetry);

    [Test]
    public async Task Sends_the_Eyes_close_request_with_the_ID_encoded_and_the_key_in_a_header_only()
    {
        using var server = new LoopbackServer((_, _) => Task.FromResult(200));
        using var http = Http.CreateClient(null);

        var results = await Closer(http, server.Url).CloseAsync(
            [BatchId.Parse("Nightly 42/é#日本?+%")],
            CancellationToken.None);

        Assert.That(results.Single().Status, Is.EqualTo(ServerCloseStatus.Closed));
        var request = server.Requests.Single();
        Assert.That(request.Method, Is.EqualTo("DELETE"));
        Assert.That(
            request.RawUrl,
            Is.EqualTo("/api/sessions/batches/Nightly%2042%2F%C3%A9%23%E6%97%A5%E6%9C%AC%3F%2B%25/close/bypointerid"));
        Assert.That(request.Headers["X-BatchBuild-Api-Key"], Is.EqualTo("k&y=1 2"));
    }

    [Test]
    public async Task Without_a_key_a_close_token_for_the_id_goes_in_its_header()
    {
        using var server = new LoopbackServer((_, _) => Task.FromResult(200));
        using var http = Http.CreateClient(null);
        var token = CloseToken.Create(
            System.Security.Cryptography.RandomNumberGenerator.GetBytes(CloseToken.SecretBytes),
            BatchId.Parse("b-1"),
            DateTimeOffset.UtcNow.AddHours(1));
        var closer = new ServerBatchCloser(
            http,
            server.Url,
            null,
            TimeSpan.FromSeconds(5))
        { CloseTokens = new Dictionary<string, string> { ["b-1"] = token } };

        await closer.CloseAsync([BatchId.Parse("b-1")], CancellationToken.None);

        var request = server.Requests.Single();
        Assert.That(
            (request.RawUrl, request.Headers[CloseToken.Header]),
            Is.EqualTo(("/api/sessions/batches/b-1/close/bypointerid", token)));
        Assert.That(request.Headers.ContainsKey("X-BatchBuild-Api-Key"), Is.False);
    }

    [Test]
    public async Task Transient_answers_are_retried()
    {
        using var server = new LoopbackServer((_, n) => Task.FromResult(n <= 2 ? 503 : 200));
        using var http = Http.CreateClient(null);

        var result = (await Closer(http, server.Url).CloseAsync(
            [BatchId.Parse("b-1")],
            CancellationToken.None)).Single();

        Assert.That(result.Status, Is.EqualTo(ServerCloseStatus.Closed));
        Assert.That(server.Requests, Has.Count.EqualTo(3));
    }

    [TestCase(404, ServerCloseStatus.Unknown)]
    [TestCase(401, ServerCloseStatus.Rejected)]
    [TestCase(403, ServerCloseStatus.Rejected)]
    [TestCase(400, ServerCloseStatus.Failed)]
    public async Task Final_answers_are_not_retried(int status, ServerCloseStatus expected)
    {
        using var server = new LoopbackServer((_, _) => Task.FromResult(status));
        using var http = Http.CreateClient(null);

        var result = (await Closer(http, server.Url).CloseAsync(
            [BatchId.Parse("b-1")],
            CancellationToken.None)).Single();

        Assert.That(result.Status, Is.EqualTo(expected));
        Assert.That(result.Detail, Does.StartWith(status.ToString(CultureInfo.InvariantCulture)));
        Assert.That(server.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Several_IDs_are_closed_at_once()
    {
        using var server = new LoopbackServer(async (_, _) =>
        {
            await Task.Delay(300);
            return 200;
        });
        using var http = Http.CreateClient(null);

        var results = await Closer(http, server.Url).CloseAsync(
            [BatchId.Parse("a"), BatchId.Parse("b"), BatchId.Parse("c"), BatchId.Parse("a")],
            CancellationToken.None);

        Assert.That(results.Select(r => r.Id.Value), Is.EquivalentTo(new[] { "a", "b", "c" }));
        Assert.That(results.Select(r => r.Status), Is.All.EqualTo(ServerCloseStatus.Closed));
        Assert.That(server.MostInFlight, Is.GreaterThan(1));
    }

    [Test]
    public async Task A_server_that_does_not_answer_in_time_fails_after_the_retries()
    {
        using var server = new LoopbackServer(async (_, _) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(3));
            return 200;
        });
        using var http = Http.CreateClient(null);

        var result = (await Closer(
            http,
            server.Url,
            attempt: TimeSpan.FromMilliseconds(200)).CloseAsync(
                [BatchId.Parse("b-1")],
                CancellationToken.None)).Single();

        Assert.That(result.Status, Is.EqualTo(ServerCloseStatus.Failed));
        Assert.That(result.Detail, Does.Contain("no answer within 0.2 s"));
        Assert.That(server.Requests, Has.Count.EqualTo(4), "one try and three retries");
    }

    [Test]
    public async Task An_unreachable_server_fails_without_showing_the_key()
    {
        using var http = Http.CreateClient(null);
        var nothing = new Uri($"http://127.0.0.1:{LoopbackServer.FreePort()}/");

        var result = (await Closer(http, nothing, key: "secret-key").CloseAsync(
            [BatchId.Parse("b-1")],
            CancellationToken.None)).Single();

        Assert.That(result.Status, Is.EqualTo(ServerCloseStatus.Failed));
        Assert.That(result.Detail, Does.Not.Contain("secret-key"));
    }

    [Test]
    public async Task Goes_through_a_proxy_with_its_credentials()
    {
        using var proxy = new LoopbackProxy();
        using var http = Http.CreateClient(new Uri($"http://ci%40corp:p%40ss@127.0.0.1:{proxy.Port}/"));
        var server = new Uri("http://batches.example.test/");

        var result = (await Closer(http, server).CloseAsync([BatchId.Parse("b-1")], CancellationToken.None)).Single();

        Assert.That(result.Status, Is.EqualTo(ServerCloseStatus.Closed));
        var (line, authorization) = proxy.Requests.Last();
        Assert.That(
            line,
            Does.StartWith("DELETE http://batches.example.test/api/sessions/batches/b-1/close/bypointerid HTTP/"));
        Assert.That(
            authorization,
            Is.EqualTo("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("ci@corp:p@ss"))));
    }
}
