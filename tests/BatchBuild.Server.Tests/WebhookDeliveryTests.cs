using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using BatchBuild.Core.Api;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Store;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace BatchBuild.Server.Tests;

/// <summary>
/// Completion notifications to several webhooks, on both providers, with real receivers on
/// 127.0.0.1: one that hangs, one that answers 500, one that takes them. Each webhook's delivery is
/// tried on its own, so the good one is served at once; the others are given up after the
/// configured tries, visibly (API, log) and for good, also across a restart.
/// </summary>
[TestFixtureSource(typeof(TestDatabase), nameof(TestDatabase.Providers))]
public sealed class WebhookDeliveryTests(string provider) : DatabaseTest(provider)
{
    // Small, so the test is short; large against the loopback answers of the good receiver, so a
    // loaded machine does not make the bound below flaky.
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(3);

    private static ResultDto Result(string batch) =>
        new(
            batch,
            1,
            "Tests",
            "A.One",
            "One",
            TestRunOutcome.Passed,
            10,
            DateTimeOffset.UtcNow,
            "agent-1",
            Guid.NewGuid().ToString("N"),
            null);

    [Test]
    public async Task Failing_and_hanging_webhooks_hold_back_no_other_are_given_up_and_a_good_one_gets_each_close_once()
    {
        using var hanging = new HangingReceiver();
        using var failing = new LoopbackServer((_, _) => Task.FromResult(500));
        var clock = Stopwatch.StartNew();
        var arrivals = new ConcurrentQueue<TimeSpan>();
        using var good = new LoopbackServer((_, _) =>
        {
            arrivals.Enqueue(clock.Elapsed);
            return Task.FromResult(200);
        });
        var settings = new Dictionary<string, string?>
        {
            ["BatchBuild:WebhookUrls:0"] = hanging.Url.ToString(),
            ["BatchBuild:WebhookUrls:1"] = $"{failing.Url}fails?token=secret",
            ["BatchBuild:WebhookUrls:2"] = $"{good.Url}takes",
            ["BatchBuild:WebhookTimeout"] = DeliveryTimeout.ToString(),
            ["BatchBuild:WebhookMaxAttempts"] = "2",
            ["BatchBuild:NotificationRetryDelay"] = "00:00:00.500",
        };
        var logs = new LogCapture();
        string[] batches = ["ci-1", "ci-2", "ci-3"];

        await using (var server = await RunningServer.StartAsync(Database, settings, logs: logs))
        {
            await server.ReportAsync([.. batches.Select(Result)]);
            var closes = await Task.WhenAll(batches.Select(id => server.Client.PostAsync(
                $"api/v1/batches/{id}/close",
                null)));
            var closedAt = clock.Elapsed;
            Assert.That(closes.Select(close => (int)close.StatusCode), Is.All.EqualTo(200));
            foreach (var close in closes)
            {
                close.Dispose();
            }

            await ServerApiTests.WaitForAsync(() => arrivals.Count >= 3, seconds: 60);
            var lastArrival = arrivals.Max() - closedAt;
            TestContext.Out.WriteLine(
                $"{Database.Provider}: the good webhook got the three documents "
                + $"{string.Join(", ", arrivals.Select(at => $"{(at - closedAt).TotalSeconds:0.000} s"))} after the "
                + $"closes (delivery timeout {DeliveryTimeout.TotalSeconds} s)");

            // Delivered one after the other, each close would wait for the hanging webhook's try
            // of the closes before it: the third document would come at least two timeouts
            // after the closes. Tried on their own, all three come within one timeout (measured
            // from the closes' answers, so that a slow close on a loaded machine does not count).
            Assert.That(
                lastArrival,
                Is.LessThan(DeliveryTimeout),
                $"the good webhook got the third document {lastArrival} after the closes");
            Assert.That(
                good.Requests.Select(request => BatchCompletion.FromJson(request.Body).Name),
                Is.EquivalentTo(batches));

            await ServerApiTests.WaitForAsync(
                () => GivenUpAsync(server).GetAwaiter().GetResult().Total == 6,
                seconds: 60);
            var givenUp = await GivenUpAsync(server);
            Assert.That(
                givenUp.Deliveries.Select(d => (d.BatchId, d.Target, d.State, d.Attempts)),
                Is.EquivalentTo(batches.SelectMany(id => new[]
            {
                (id, hanging.Url.ToString(), DeliveryState.GivenUp, 2),
                (id, $"{failing.Url}fails?…", DeliveryState.GivenUp, 2),
            })));
            Assert.That(
                givenUp.Deliveries.Where(d => d.Target.StartsWith(
                    hanging.Url.ToString(),
                    StringComparison.Ordinal)).Select(d => d.LastError),
                Is.All.StartWith("no answer within"));
            Assert.That(
                givenUp.Deliveries.Where(d => d.Target.Contains(
                    "fails",
                    StringComparison.Ordinal)).Select(d => d.LastError),
                Is.All.StartWith("answered 500"));

            var ofBatch = (await server.Client.GetFromJsonAsync(
                "api/v1/batches/ci-2/1/notifications",
                ApiJson.Default.NotificationsDto))!;
            Assert.That(ofBatch.Deliveries.Select(d => (d.Target, d.State, d.Attempts)), Is.EquivalentTo(new[]
            {
                (hanging.Url.ToString(), DeliveryState.GivenUp, 2),
                ($"{failing.Url}fails?…", DeliveryState.GivenUp, 2),
                ($"{good.Url}takes", DeliveryState.Delivered, 1),
            }));
            Assert.That(ofBatch.Deliveries.Single(d => d.State == DeliveryState.Delivered).DeliveredAt, Is.Not.Null);
        }

        var givenUpLines = logs.Lines.Where(line => line.Text.StartsWith(
            "BB4004: ",
            StringComparison.Ordinal)).ToList();
        Assert.That(givenUpLines, Has.Count.EqualTo(6), "one BB4004 line per given-up delivery");
        Assert.That(givenUpLines.Select(line => line.Level), Is.All.EqualTo(LogLevel.Error));
        Assert.That(
            givenUpLines.Select(line => line.Text),
            Has.Some.Contains("batch ci-1").And.Contains("after 2 tries"));
        Assert.That(logs.Lines.Select(line => line.Text), Has.None.Contains("secret"), "no webhook secret in the log");
        var failedTries = failing.Requests.Count;
        var hangingTries = hanging.Accepted;
        Assert.That(
            (failedTries, hangingTries),
            Is.EqualTo((6, 6)),
            "two tries per batch at each failing webhook, then no more");

        // A restart sends nothing again: the good webhook took each close once, and a given-up
        // delivery stays given up and listed.
        await using (var restarted = await RunningServer.StartAsync(Database, settings))
        {
            await Task.Delay(1500);
            Assert.That((await GivenUpAsync(restarted)).Total, Is.EqualTo(6));
        }

        Assert.That(good.Requests, Has.Count.EqualTo(3), "no duplicate to the webhook that took them");
        Assert.That(
            (failing.Requests.Count, hanging.Accepted),
            Is.EqualTo((failedTries, hangingTries)),
            "given up for good");
    }

    [Test]
    public async Task A_delivery_pending_at_shutdown_is_tried_by_the_next_start_and_never_again_once_taken()
    {
        var up = false;
        using var flaky = new LoopbackServer((_, _) => Task.FromResult(Volatile.Read(ref up) ? 200 : 503));
        using var good = new LoopbackServer((_, _) => Task.FromResult(200));
        var settings = new Dictionary<string, string?>
        {
            ["BatchBuild:WebhookUrls:0"] = $"{flaky.Url}flaky",
            ["BatchBuild:WebhookUrls:1"] = $"{good.Url}good",
            ["BatchBuild:NotificationRetryDelay"] = "00:00:00.200",
        };

        await using (var server = await RunningServer.StartAsync(Database, settings))
        {
            await server.ReportAsync(Result("ci-restart"));
            using var close = await server.Client.PostAsync("api/v1/batches/ci-restart/close", null);
            await ServerApiTests.WaitForAsync(() => flaky.Requests.Count >= 2 && !good.Requests.IsEmpty);
        }

        var refused = flaky.Requests.Count;
        Volatile.Write(ref up, true);
        await using (var restarted = await RunningServer.StartAsync(Database, settings))
        {
            await ServerApiTests.WaitForAsync(() => flaky.Requests.Count > refused);
            await ServerApiTests.WaitForAsync(() => restarted.Client.GetFromJsonAsync(
                "api/v1/batches/ci-restart/1/notifications",
                ApiJson.Default.NotificationsDto)
                .GetAwaiter().GetResult()!.Deliveries.All(d => d.State == DeliveryState.Delivered));
            await Task.Delay(1000);
        }

        Assert.That(good.Requests, Has.Count.EqualTo(1), "the webhook that took it at once is not sent it again");
        Assert.That(flaky.Requests, Has.Count.EqualTo(refused + 1), "delivered once it was up, and not again");
        using var store = Database.Open();
        Assert.That(await store.ClaimNotificationsAsync(), Is.Empty, "the batch is marked notified");
    }

    [Test]
    public async Task Bad_webhook_delivery_settings_stop_the_start_with_BB5005()
    {
        var (app, problems) = await BatchServer.CreateAsync(
            [],
            builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["BatchBuild:AllowAnonymous"] = "true",
                ["AllowedHosts"] = "127.0.0.1",
                ["BatchBuild:ConnectionString"] = Path.Combine(Path.GetTempPath(), "never-created.db"),
                ["BatchBuild:WebhookTimeout"] = "00:30:00",
                ["BatchBuild:WebhookConcurrency"] = "0",
                ["BatchBuild:WebhookMaxAttempts"] = "0",
                ["BatchBuild:WebhookMaxAge"] = "-01:00:00",
            }));

        Assert.That(app, Is.Null);
        Assert.That(problems, Has.Count.EqualTo(4).And.All.StartWith("BB5005: "));
        Assert.That(problems, Has.Some.Contains("WebhookTimeout is 00:30:00").And.Some.Contains("at most 00:05:00"));
        Assert.That(problems, Has.Some.Contains("WebhookConcurrency is 0; use 1 to 64"));
        Assert.That(problems, Has.Some.Contains("WebhookMaxAttempts is 0; use 1 to 1000"));
        Assert.That(problems, Has.Some.Contains("WebhookMaxAge is -01:00:00"));
    }

    [Test]
    public async Task The_notification_routes_refuse_a_bad_state_and_page_and_an_unknown_batch_with_codes()
    {
        await using var server = await RunningServer.StartAsync(Database);

        using var state = await server.Client.GetAsync("api/v1/notifications?state=lost");
        using var page = await server.Client.GetAsync("api/v1/notifications?pageSize=501");
        using var unknown = await server.Client.GetAsync("api/v1/batches/nobody/1/notifications");
        using var anonymous = await server.Anonymous.GetAsync("api/v1/notifications");

        Assert.That((int)state.StatusCode, Is.EqualTo(400));
        Assert.That(
            await state.Content.ReadAsStringAsync(),
            Does.Contain("BB5001").And.Contain("pending, delivered or givenUp"));
        Assert.That((int)page.StatusCode, Is.EqualTo(400));
        Assert.That((int)unknown.StatusCode, Is.EqualTo(404));
        Assert.That(await unknown.Content.ReadAsStringAsync(), Does.Contain("BB5004"));
        Assert.That((int)anonymous.StatusCode, Is.EqualTo(401));
    }

    private static async Task<DeliveryPage> GivenUpAsync(RunningServer server) =>
        (await server.Client.GetFromJsonAsync(
            "api/v1/notifications?state=givenUp&pageSize=100",
            ApiJson.Default.DeliveryPage))!;
}
