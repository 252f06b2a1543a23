using System.Diagnostics;
using System.Text.RegularExpressions;
using BatchBuild.Core.Api;
using BatchBuild.Core.Durations;

namespace BatchBuild.Server.Tests;

/// <summary>
/// The dashboard, rendered by headless Chromium against a running server on 127.0.0.1: the page's
/// script reads the API with the key and draws the batches, one batch's tests, its timeline of
/// test batches per agent, and a test's duration history.
/// </summary>
public sealed partial class DashboardTests() : DatabaseTest("sqlite")
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
    private static ResultDto Result(
        string batch,
        string name,
        TestRunOutcome outcome,
        int testBatch,
        string agent,
        double millis,
        int second,
        string? error = null) =>
        new(
            batch,
            testBatch,
            "Tests",
            name,
            name,
            outcome,
            millis,
            Now.AddSeconds(second),
            agent,
            $"{agent}-{testBatch}",
            error);

    [Test]
    public async Task The_dashboard_shows_batches_tests_timeline_and_history()
    {
        await using var server = await RunningServer.StartAsync(Database);
        for (var run = 1; run <= 3; run++)
        {
            await server.ReportAsync(
                Result($"nightly-{run}", "Shop.Checkout", TestRunOutcome.Passed, 1, "agent-a", run * 100, 10),
                Result($"nightly-{run}", "Shop.Cart", TestRunOutcome.Passed, 1, "agent-a", 50, 10),
                Result(
                    $"nightly-{run}",
                    "Shop.Login",
                    TestRunOutcome.Failed,
                    2,
                    "agent-b",
                    400,
                    12,
                    "<b>expected</b> 200"),
                Result($"nightly-{run}", "Shop.Search", TestRunOutcome.Skipped, 3, "agent-b", 0, 13));
        }

        // In nightly-2, Shop.Login ran again and passed: flaky.
        await server.ReportAsync(Result("nightly-2", "Shop.Login", TestRunOutcome.Passed, 4, "agent-b", 390, 14));
        using var close = await server.Client.PostAsync("api/v1/batches/nightly-2/close", null);
        var key = Uri.EscapeDataString(RunningServer.Key);

        var list = await RenderAsync(server, $"#key={key}");
        var detail = await RenderAsync(
            server,
            $"#key={key}&batch=nightly-2&sequence=1&assembly=Tests&test=Shop.Checkout");
        var locked = await RenderAsync(server, "");

        Assert.That(Rows(list, "batch"), Is.EqualTo(new[] { "nightly-3", "nightly-2", "nightly-1" }));
        Assert.That(list, Does.Contain("<td class=\"closed\">closed (explicit)</td>"));
        Assert.That(detail, Does.Contain("<h2 id=\"batch-name\">Batch nightly-2</h2>"));
        Assert.That(
            Rows(detail, "result"),
            Is.EqualTo(new[] { "Shop.Login", "Shop.Cart", "Shop.Checkout", "Shop.Login", "Shop.Search" }),
            "failed results first, every attempt");
        Assert.That(detail, Does.Contain("3 passed, 0 failed, 1 skipped · 1 flaky, 1 retried"));
        Assert.That(list, Does.Contain("<td class=\"flaky\">1</td>"), "nightly-2 has a flaky test");
        Assert.That(detail, Does.Contain("&lt;b&gt;expected&lt;/b&gt; 200"), "messages are text, not markup");
        Assert.That(Count(detail, "<rect class=\"span\""), Is.EqualTo(4), "one bar per test batch");
        Assert.That(
            detail,
            Does.Contain("<text x=\"0\" y=\"15\">agent-a</text>").And.Contain("<text x=\"0\" y=\"37\">agent-b</text>"),
            "one lane per agent");
        Assert.That(detail, Does.Contain("Duration history: Shop.Checkout"));
        Assert.That(Count(detail, "<rect class=\"run\""), Is.EqualTo(3), "one bar per recorded run");
        Assert.That(locked, Does.Contain("This server needs an API key to read"));
    }

    [Test]
    public async Task The_dashboard_draws_every_run_of_a_timeline_longer_than_a_page()
    {
        await using var server = await RunningServer.StartAsync(Database);
        await server.ReportAsync(
        [
            .. Enumerable.Range(1, 450)
                .Select(i => Result("wide-1", $"Shop.T{i}", TestRunOutcome.Passed, i, $"agent-{i % 3}", 100, i % 60)),
        ]);

        var detail = await RenderAsync(
            server,
            $"#key={Uri.EscapeDataString(RunningServer.Key)}&batch=wide-1&sequence=1");

        Assert.That(
            Count(detail, "<rect class=\"span\""),
            Is.EqualTo(450),
            "three pages of the timeline, one bar per run");
        Assert.That(Rows(detail, "result"), Has.Count.EqualTo(100), "one page of results");
        Assert.That(detail, Does.Contain("450 results · page 1 of 5"));
    }

    [Test]
    public async Task The_dashboard_shows_a_lane_of_leases_per_agent_its_idle_tail_and_who_took_over_an_expired_lease()
    {
        var clock = new ManualClock(Now);
        await using var server = await RunningServer.StartAsync(
            Database,
            new Dictionary<string, string?> { ["BatchBuild:LeaseTimeout"] = "00:00:10" },
            clock);
        var id = BatchBuild.Core.Batches.BatchId.Parse("queued-1");
        var a = new BatchBuild.Client.AgentQueueClient(
            server.Client,
            server.Url,
            RunningServer.Key,
            id,
            "Tests",
            "1@ci");
        var b = new BatchBuild.Client.AgentQueueClient(
            server.Client,
            server.Url,
            RunningServer.Key,
            id,
            "Tests",
            "2@ci");
        QueuedTestBatchDto[] plan = [new(["Shop.Checkout"], 900), new(["Shop.Cart"], 500), new(["Shop.Login"], 100)];
        await a.RegisterAsync(plan, CancellationToken.None);
        await b.RegisterAsync(plan, CancellationToken.None);
        await a.LeaseAsync(CancellationToken.None);
        var cart = await b.LeaseAsync(CancellationToken.None);
        clock.Now = Now.AddSeconds(5);
        await b.CompleteAsync(cart.Value!.Lease!.Id, CancellationToken.None);
        var login = await b.LeaseAsync(CancellationToken.None);
        clock.Now = Now.AddSeconds(6);
        await b.CompleteAsync(login.Value!.Lease!.Id, CancellationToken.None);
        clock.Now = Now.AddSeconds(11);
        var takeover = await b.LeaseAsync(CancellationToken.None);
        clock.Now = Now.AddSeconds(20);
        await b.CompleteAsync(takeover.Value!.Lease!.Id, CancellationToken.None);
        await server.ReportAsync(Result("queued-1", "Shop.Checkout", TestRunOutcome.Passed, 1, "2@ci", 900, 20));

        var detail = await RenderAsync(
            server,
            $"#key={Uri.EscapeDataString(RunningServer.Key)}&batch=queued-1&sequence=1");

        Assert.That(detail, Does.Contain("<h2>Leases per agent</h2>"));
        Assert.That(detail, Does.Contain("4 leases on 2 agents · 2@ci took over test batch 1 of Tests from 1@ci"));
        Assert.That(Count(detail, "<rect class=\"lease completed\""), Is.EqualTo(3));
        Assert.That(Count(detail, "<rect class=\"lease expired\""), Is.EqualTo(1));
        Assert.That(detail, Does.Contain("data-taken-over-from=\"1@ci\""));
        Assert.That(
            detail,
            Does.Contain("1@ci idle for the last 10.0 s"),
            "agent 1's lease expired at 10 s; the last lease ended at 20 s");
    }

    [Test]
    public async Task The_dashboard_lists_given_up_notifications_first_and_a_batch_s_delivery_per_webhook()
    {
        using var failing = new LoopbackServer((_, _) => Task.FromResult(500));
        using var good = new LoopbackServer((_, _) => Task.FromResult(200));
        await using var server = await RunningServer.StartAsync(Database, new Dictionary<string, string?>
        {
            ["BatchBuild:WebhookUrls:0"] = $"{failing.Url}fails?token=secret",
            ["BatchBuild:WebhookUrls:1"] = $"{good.Url}takes",
            ["BatchBuild:WebhookMaxAttempts"] = "1",
        });
        await server.ReportAsync(Result("nightly-1", "Shop.Cart", TestRunOutcome.Passed, 1, "agent-a", 50, 10));
        using var close = await server.Client.PostAsync("api/v1/batches/nightly-1/close", null);
        await ServerApiTests.WaitForAsync(
            () => server.Client.GetStringAsync("api/v1/notifications?state=givenUp").GetAwaiter().GetResult().Contains(
            "\"total\":1",
            StringComparison.Ordinal)
            && !good.Requests.IsEmpty);
        var key = Uri.EscapeDataString(RunningServer.Key);

        var list = await RenderAsync(server, $"#key={key}");
        var detail = await RenderAsync(server, $"#key={key}&batch=nightly-1&sequence=1");

        Assert.That(list, Does.Contain("Notifications given up (1)"));
        Assert.That(Rows(list, "delivery"), Is.EqualTo(new[] { "nightly-1" }));
        Assert.That(
            list,
            Does.Contain($"{failing.Url}fails?…").And.Contain(
                "<td class=\"givenup\">given up</td>").And.Contain("answered 500").And.Not.Contain("secret"));
        Assert.That(
            list.IndexOf("Notifications given up", StringComparison.Ordinal),
            Is.LessThan(list.IndexOf("<h2>Batches</h2>", StringComparison.Ordinal)),
            "above the batches");
        Assert.That(detail, Does.Contain("<h2>Notifications</h2>"));
        Assert.That(
            detail,
            Does.Contain("<td class=\"givenup\">given up</td>").And.Contain(
                "<td class=\"delivered\">delivered</td>").And.Contain($"{good.Url}takes"));
    }

    // Runs headless Chromium on the page and returns the document after its script ran.
    private static async Task<string> RenderAsync(RunningServer server, string fragment)
    {
        var chromium = Environment.GetEnvironmentVariable("BATCHBUILD_TEST_CHROMIUM") ?? "chromium";
        var profile = Directory.CreateTempSubdirectory("batchbuild-chromium-").FullName;
        try
        {
            var start = new ProcessStartInfo(chromium)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var argument in new[]
            {
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                $"--user-data-dir={profile}",
                "--virtual-time-budget=10000",
                "--dump-dom",
                new Uri(server.Url, fragment).ToString(),
            })
            {
                start.ArgumentList.Add(argument);
            }

            Process process;
            try
            {
                process = Process.Start(start)!;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                Assert.Fail(
                    $"'{chromium}' cannot be started: run the tests with ./test.sh, which installs Debian's chromium, "
                    + "or set BATCHBUILD_TEST_CHROMIUM");
                throw;
            }

            using (process)
            using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            {
                var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
                _ = process.StandardError.ReadToEndAsync(timeout.Token);
                await process.WaitForExitAsync(timeout.Token);
                var document = await output;
                Assert.That(document, Does.Contain("data-ready=\"true\""), "the page finished rendering");
                return document;
            }
        }
        finally
        {
            Directory.Delete(profile, recursive: true);
        }
    }

    private static List<string> Rows(string document, string row) =>
        [.. RowName().Matches(document).Where(m => m.Groups["row"].Value == row).Select(m => m.Groups["name"].Value)];

    private static int Count(string document, string text) => Regex.Count(document, Regex.Escape(text));

    [GeneratedRegex("<tr class=\"(?<row>[a-z]+)\"><td class=\"name\"><a [^>]*>(?<name>[^<]+)</a>")]
    private static partial Regex RowName();
}
