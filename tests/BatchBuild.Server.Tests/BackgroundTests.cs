using System.Net.Http.Json;
using BatchBuild.Core.Api;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Durations;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace BatchBuild.Server.Tests;

/// <summary>
/// The server's background work across restarts, on both providers: idle batches close by
/// themselves, and a notification whose webhook was down is delivered once it is up, by the next
/// server run, and marked delivered once.
/// </summary>
[TestFixtureSource(typeof(TestDatabase), nameof(TestDatabase.Providers))]
public sealed class BackgroundTests(string provider) : DatabaseTest(provider)
{
    private static readonly DateTimeOffset Morning = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
    private static ResultDto Result(string batch, DateTimeOffset at) =>
        new(
            batch,
            1,
            "Tests",
            "A.One",
            "One",
            TestRunOutcome.Passed,
            10,
            at,
            "agent-1",
            Guid.NewGuid().ToString("N"),
            null);

    [Test]
    public async Task A_batch_that_went_idle_while_the_server_was_down_closes_on_the_next_start()
    {
        var clock = new ManualClock(Morning);
        await using (var server = await RunningServer.StartAsync(Database, clock: clock))
        {
            await server.ReportAsync(Result("ci-idle", Morning), Result("ci-busy", Morning));
            clock.Now += TimeSpan.FromHours(2);
            await server.ReportAsync(Result("ci-busy", clock.Now));
            await Task.Delay(500);
            Assert.That((await server.ListAsync("?state=active")).Total, Is.EqualTo(2), "nothing expired yet");
        }

        clock.Now += TimeSpan.FromHours(1.5);
        await using var restarted = await RunningServer.StartAsync(Database, clock: clock);

        await ServerApiTests.WaitForAsync(
            () => restarted.ListAsync("?state=closed").GetAwaiter().GetResult().Total == 1);
        var idle = (await restarted.Client.GetFromJsonAsync("api/v1/batches/ci-idle", ApiJson.Default.BatchDto))!;
        var busy = (await restarted.Client.GetFromJsonAsync("api/v1/batches/ci-busy", ApiJson.Default.BatchDto))!;
        Assert.That(
            (idle.State, idle.Reason, idle.ClosedAt),
            Is.EqualTo(("closed", (string?)"idle", (DateTimeOffset?)clock.Now)));
        Assert.That(busy.State, Is.EqualTo("active"));
    }

    [Test]
    public async Task A_notification_the_webhook_refused_is_delivered_after_a_restart_and_marked_once()
    {
        var up = false;
        using var hook = new LoopbackServer((_, _) => Task.FromResult(Volatile.Read(ref up) ? 200 : 503));
        var settings = new Dictionary<string, string?>
        {
            ["BatchBuild:WebhookUrls:0"] = $"{hook.Url}hooks?token=secret",
            ["BatchBuild:NotificationRetryDelay"] = "00:00:01",
        };

        await using (var server = await RunningServer.StartAsync(Database, settings))
        {
            await server.ReportAsync(Result("ci-hook", DateTimeOffset.UtcNow));
            using var close = await server.Client.PostAsync("api/v1/batches/ci-hook/close", null);
            await ServerApiTests.WaitForAsync(() => hook.Requests.Count >= 4, seconds: 60);
        }

        var refused = hook.Requests.Count;
        Volatile.Write(ref up, true);
        await using (var restarted = await RunningServer.StartAsync(Database, settings))
        {
            await ServerApiTests.WaitForAsync(() => hook.Requests.Count > refused, seconds: 60);
            await Task.Delay(2500);
        }

        Assert.That(hook.Requests.Count, Is.EqualTo(refused + 1), "delivered once it was up, and not again");
        var delivered = hook.Requests.Last();
        Assert.That(BatchCompletion.FromJson(delivered.Body).Name, Is.EqualTo("ci-hook"));
        Assert.That(delivered.RawUrl, Is.EqualTo("/hooks?token=secret"));
        using var store = Database.Open();
        Assert.That(await store.ClaimNotificationsAsync(), Is.Empty, "marked delivered in the database");
    }

    [Test]
    public async Task Bad_configuration_and_an_unreachable_database_stop_the_start_with_codes()
    {
        var (bad, problems) = await BatchServer.CreateAsync(
            [],
            builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["BatchBuild:Provider"] = "mysql",
                ["BatchBuild:ApiKeyHashes:0"] = "md5:abc",
                ["BatchBuild:IdleTimeout"] = "-00:01:00",
                ["BatchBuild:WebhookUrls:0"] = "ftp://example.test/hook",
            }));
        var (noKey, keyProblems) = await BatchServer.CreateAsync(
            [],
            builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["BatchBuild:ConnectionString"] = Path.Combine(Path.GetTempPath(), "never-created.db"),
            }));
        var (down, downProblems) = await BatchServer.CreateAsync(
            [],
            builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["BatchBuild:Provider"] = "postgres",
                ["BatchBuild:ConnectionString"] = $"Host=127.0.0.1;Port={LoopbackServer.FreePort()};"
                + "Username=nobody;Password=secret-password;Database=none;Timeout=3",
                ["BatchBuild:AllowAnonymous"] = "true",
                ["AllowedHosts"] = "127.0.0.1",
            }));

        Assert.That(
            (bad, noKey, down),
            Is.EqualTo(((WebApplication?)null, (WebApplication?)null, (WebApplication?)null)));
        Assert.That(problems, Has.Count.EqualTo(4).And.All.StartWith("BB5005: "));
        Assert.That(problems[0], Does.Contain("mysql").And.Contain("sqlite or postgres"));
        Assert.That(keyProblems.Single(), Does.Contain("no API key is configured"));
        Assert.That(
            downProblems.Single(),
            Does.StartWith("BB2001: the PostgreSQL database 'none' on 127.0.0.1").And.Not.Contain("secret-password"));
    }
}
