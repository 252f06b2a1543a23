using System.Net;
using System.Net.Http.Json;
using System.Text;
using BatchBuild.Client;
using BatchBuild.Core.Agents;
using BatchBuild.Core.Api;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Store;
using Microsoft.Extensions.Configuration;

namespace BatchBuild.Server.Tests;

/// <summary>
/// Every answer of the batch server stays under its bound (<see cref="AnswerBounds"/>) with the
/// worst inputs: texts at their longest, in CJK, which JSON escapes at six bytes a character.
/// Paged routes return every item exactly once; a queue past its limits is refused with its code.
/// Over real HTTP on 127.0.0.1, on both databases.
/// </summary>
[TestFixtureSource(typeof(TestDatabase), nameof(TestDatabase.Providers))]
public sealed class AnswerBoundsTests(string provider) : DatabaseTest(provider)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);

    // Text of `length` CJK characters, different for every seed.
    private static string Cjk(int length, int seed) =>
        string.Create(length, seed, (span, s) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (char)(0x4E00 + ((s * 7919) + i) % 20_000);
            }
        });

    private static AgentQueueClient Agent(
        RunningServer server,
        string agent,
        string assembly,
        string batch = "ci-queue") =>
        new(
            server.Client,
            server.Url,
            RunningServer.Key,
            BatchId.Parse(batch),
            assembly,
            agent)
        { FirstRetryDelay = TimeSpan.FromMilliseconds(10) };

    private static async Task<(byte[] Body, HttpStatusCode Status)> GetAsync(RunningServer server, string path)
    {
        using var response = await server.Client.GetAsync(path);
        return (await response.Content.ReadAsByteArrayAsync(), response.StatusCode);
    }

    [Test]
    public async Task A_page_of_the_longest_CJK_results_stays_under_its_bound_and_cuts_messages_with_a_marker()
    {
        await using var server = await RunningServer.StartAsync(Database);
        var batch = Cjk(BatchId.MaxLength, 1);
        var (assembly, agent, attempt) = (
            Cjk(ResultDto.MaxTextLength, 2),
            Cjk(ResultDto.MaxTextLength, 3),
            Cjk(ResultDto.MaxTextLength, 4));
        var results = Enumerable.Range(0, BatchResultsPage.MaxPageSize)
            .Select(i => new ResultDto(
                batch,
                i + 1,
                assembly,
                Cjk(ResultDto.MaxTextLength, 100 + i),
                Cjk(ResultDto.MaxTextLength, 1000 + i),
                TestRunOutcome.Failed,
                10,
                Now,
                agent,
                attempt,
                Cjk(ResultDto.MaxErrorLength, 5)))
            .ToList();

        // One more, whose names are short enough for a URL: its whole message is read by name.
        results.Add(new ResultDto(
            batch,
            1,
            "Tests",
            "Shop.Checkout",
            "Shop.Checkout",
            TestRunOutcome.Failed,
            10,
            Now,
            "agent-1",
            "1",
            Cjk(ResultDto.MaxErrorLength, 5)));
        foreach (var chunk in results.Chunk(20))
        {
            await server.ReportAsync(chunk);
        }

        var path = $"api/v1/batches/{Uri.EscapeDataString(batch)}/1";
        var (full, fullStatus) = await GetAsync(server, $"{path}/results?pageSize={BatchResultsPage.MaxPageSize}");
        var (one, _) = await GetAsync(server, $"{path}/results?pageSize=1");
        var page = System.Text.Json.JsonSerializer.Deserialize(full, ApiJson.Default.BatchResultsDto)!;
        TestContext.Out.WriteLine(
            $"results page of {BatchResultsPage.MaxPageSize}: {full.Length} bytes (bound {AnswerBounds.ResultsPage}); "
            + $"of 1: {one.Length} bytes");

        Assert.That(fullStatus, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(page.Results, Has.Count.EqualTo(BatchResultsPage.MaxPageSize));
        Assert.That(full.Length, Is.LessThanOrEqualTo(AnswerBounds.ResultsPage));
        Assert.That(
            one.Length,
            Is.LessThanOrEqualTo(AnswerBounds.Envelope + AnswerBounds.Batch + AnswerBounds.ListedResult),
            "the timeline of 100 runs is not on the page");
        Assert.That(
            page.Results.Select(r => r.ErrorMessage!.Length),
            Is.All.EqualTo(ResultDto.MaxListedErrorLength + ResultDto.MaxCutMarkerLength));
        Assert.That(page.Results[0].Name, Is.EqualTo("Shop.Checkout"));
        Assert.That(
            page.Results[0].ErrorMessage,
            Does.StartWith(Cjk(
                ResultDto.MaxListedErrorLength,
                5)).And.EndWith(
                    "[cut: 16384 characters in all; GET /api/v1/tests/runs?assembly=&name= has the whole message]"));

        var (runs, runsStatus) = await GetAsync(server, "api/v1/tests/runs?assembly=Tests&name=Shop.Checkout");
        Assert.That(runsStatus, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(
            System.Text.Json.JsonSerializer.Deserialize(runs, ApiJson.Default.TestRunsDto)!.Runs.Single().ErrorMessage,
            Is.EqualTo(Cjk(ResultDto.MaxErrorLength, 5)),
            "the whole message");
    }

    [Test]
    public async Task The_timeline_comes_in_pages_under_their_bound_that_hold_every_run_exactly_once()
    {
        await using var server = await RunningServer.StartAsync(Database);
        var assembly = Cjk(ResultDto.MaxTextLength, 2);
        var agents = Enumerable.Range(0, 3).Select(i => Cjk(ResultDto.MaxTextLength, 10 + i)).ToList();
        var runs = Enumerable.Range(0, 450).Select(i => new ResultDto(
            "ci-timeline", i
                + 1,
                assembly,
                $"T{i}",
                $"T{i}",
                TestRunOutcome.Passed,
                10,
                Now.AddSeconds(i % 7),
                agents[i % 3],
                $"run-{i}",
                null)).ToList();
        foreach (var chunk in runs.Chunk(90))
        {
            await server.ReportAsync(chunk);
        }

        var pages = new List<TimelineDto>();
        var sizes = new List<int>();
        for (var page = 1; page <= 3; page++)
        {
            var (body, status) = await GetAsync(
                server,
                $"api/v1/batches/ci-timeline/1/timeline?page={page}&pageSize={TestBatchTimeline.MaxPageSize}");
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
            sizes.Add(body.Length);
            pages.Add(System.Text.Json.JsonSerializer.Deserialize(body, ApiJson.Default.TimelineDto)!);
        }

        var (tooLarge, tooLargeStatus) = await GetAsync(
            server,
            $"api/v1/batches/ci-timeline/1/timeline?pageSize={TestBatchTimeline.MaxPageSize + 1}");
        var (unknown, unknownStatus) = await GetAsync(server, "api/v1/batches/never/1/timeline");
        TestContext.Out.WriteLine(
            $"timeline pages: {string.Join(", ", sizes)} bytes (bound {AnswerBounds.TimelinePage})");

        Assert.That(
            pages.Select(p => (p.Total, p.TestBatches.Count)),
            Is.EqualTo(new[] { (450, 200), (450, 200), (450, 50) }));
        Assert.That(
            pages.SelectMany(p => p.TestBatches).Select(s => s.TestBatch).Order(),
            Is.EqualTo(Enumerable.Range(1, 450)),
            "every run once");
        Assert.That(
            pages.SelectMany(p => p.TestBatches).Select(s => s.FinishedAt),
            Is.Ordered,
            "by when they finished");
        Assert.That(sizes, Is.All.LessThanOrEqualTo(AnswerBounds.TimelinePage));
        Assert.That(tooLargeStatus, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(
            Encoding.UTF8.GetString(tooLarge),
            Does.Contain("BB5001").And.Contain($"pageSize: 1 to {TestBatchTimeline.MaxPageSize}"));
        Assert.That(unknownStatus, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(Encoding.UTF8.GetString(unknown), Does.Contain("BB5004"));
    }

    [Test]
    public async Task Leases_come_in_pages_under_their_bound_that_hold_every_lease_exactly_once()
    {
        await using var server = await RunningServer.StartAsync(Database);
        var assembly = Cjk(ResultDto.MaxTextLength, 2);
        var agents = Enumerable.Range(0, 3)
            .Select(i => Agent(server, Cjk(ResultDto.MaxTextLength, 10 + i), assembly))
            .ToList();
        QueuedTestBatchDto[] plan =
            [.. Enumerable.Range(0, 450).Select(i => new QueuedTestBatchDto([$"T{i}"], 1000 - i))];
        foreach (var agent in agents)
        {
            Assert.That((await agent.RegisterAsync(plan, CancellationToken.None)).Value, Is.Not.Null);
        }

        for (var i = 0; i < 450; i++)
        {
            var leased = await agents[i % 3].LeaseAsync(CancellationToken.None);
            Assert.That(leased.Value!.Status, Is.EqualTo(LeaseResponse.Leased));
        }

        var pages = new List<LeasesDto>();
        var sizes = new List<int>();
        for (var page = 1; page <= 4; page++)
        {
            var (body, status) = await GetAsync(server, $"api/v1/batches/ci-queue/leases?page={page}");
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
            sizes.Add(body.Length);
            pages.Add(System.Text.Json.JsonSerializer.Deserialize(body, ApiJson.Default.LeasesDto)!);
        }

        var (_, tooLarge) = await GetAsync(
            server,
            $"api/v1/batches/ci-queue/leases?pageSize={LeasesDto.MaxPageSize + 1}");
        TestContext.Out.WriteLine($"lease pages: {string.Join(", ", sizes)} bytes (bound {AnswerBounds.LeasesPage})");

        Assert.That(
            pages.Select(p => (p.Total, p.Leases.Count, p.PageSize)),
            Is.EqualTo(new[] { (450, 200, 200), (450, 200, 200), (450, 50, 200), (450, 0, 200) }));
        Assert.That(
            pages.SelectMany(p => p.Leases).Select(l => l.TestBatch).Order(),
            Is.EqualTo(Enumerable.Range(1, 450)),
            "every lease once");
        Assert.That(sizes, Is.All.LessThanOrEqualTo(AnswerBounds.LeasesPage));
        Assert.That(tooLarge, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task A_registration_answers_a_small_summary_and_the_plan_comes_in_pages_under_their_bound()
    {
        await using var server = await RunningServer.StartAsync(Database);
        var assembly = Cjk(ResultDto.MaxTextLength, 2);

        // 1,150 of the longest CJK names, in test batches longer than a page: the request is
        // just under 16 MiB, each page holds about 325.
        QueuedTestBatchDto[] plan = [.. Enumerable.Range(0, 3).Select(b => new QueuedTestBatchDto(
            [.. Enumerable.Range(
                0,
                b == 2 ? 350 : 400).Select(i => Cjk(ResultDto.MaxTextLength, (b * 1000) + i))], 100.5 * (b + 1)))];
        var one = Agent(server, "1@ci", assembly);
        var registration = System.Text.Json.JsonSerializer.Serialize(
            new QueueRegistration(assembly, "1@ci", plan),
            ApiJson.Default.QueueRegistration);
        using var registered = await server.Client.PostAsync(
            "api/v1/batches/ci-queue/queue",
            new StringContent(registration, Encoding.UTF8, "application/json"));
        var answer = await registered.Content.ReadAsByteArrayAsync();
        var summary = System.Text.Json.JsonSerializer.Deserialize(answer, ApiJson.Default.QueueSummaryDto)!;

        var sizes = new List<int>();
        var from = 0;
        for (var pages = 0; pages < 10 && from >= 0; pages++)
        {
            using var response = await server.Client.PostAsJsonAsync(
                "api/v1/batches/ci-queue/queue/plan",
                new QueuePlanRequest(assembly, from),
                ApiJson.Default.QueuePlanRequest);
            var body = await response.Content.ReadAsByteArrayAsync();
            sizes.Add(body.Length);
            from = System.Text.Json.JsonSerializer.Deserialize(body, ApiJson.Default.QueuePlanPageDto)!.Next ?? -1;
        }

        var read = await one.PlanAsync(summary, CancellationToken.None);
        TestContext.Out.WriteLine(
            $"registration: {registration.Length} bytes sent, {answer.Length} answered; plan pages: "
            + $"{string.Join(", ", sizes)} bytes (bound {AnswerBounds.QueuePlanPage})");

        Assert.That(registered.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(answer.Length, Is.LessThanOrEqualTo(AnswerBounds.QueueSummary));
        Assert.That((summary.TestBatches, summary.Tests, summary.LeaseMillis), Is.EqualTo((3, 1150, 60_000.0)));
        Assert.That(sizes, Has.Count.EqualTo(4).And.All.LessThanOrEqualTo(AnswerBounds.QueuePlanPage));
        Assert.That(
            read.Value!.Select(batch => (batch.Index, batch.ExpectedMillis)),
            Is.EqualTo(new[] { (1, 100.5), (2, 201.0), (3, 301.5) }));
        Assert.That(
            read.Value!.Select(batch => batch.Tests),
            Is.EqualTo(plan.Select(batch => batch.Tests)),
            "every test once, in order, test batches split across pages put together");
        Assert.That(QueuePlanFingerprint.Of(read.Value!), Is.EqualTo(summary.Fingerprint));
    }

    [Test]
    public async Task An_agent_reads_the_plan_it_was_answered_with_though_another_agent_added_tests_since()
    {
        await using var server = await RunningServer.StartAsync(Database);
        var one = Agent(server, "1@ci", "Shop.Tests");
        var two = Agent(server, "2@ci", "Shop.Tests");

        var first = (await one.RegisterAsync([new(["A", "B"], 900), new(["C"], 100)], CancellationToken.None)).Value!;
        var second = (await two.RegisterAsync([new(["A", "B", "D"], 900)], CancellationToken.None)).Value!;
        var plan = await one.PlanAsync(first, CancellationToken.None);
        var grown = await two.PlanAsync(second, CancellationToken.None);

        Assert.That(plan.Value!.Select(batch => string.Join(",", batch.Tests)), Is.EqualTo(new[] { "A,B", "C" }));
        Assert.That(grown.Value!.Select(batch => string.Join(",", batch.Tests)), Is.EqualTo(new[] { "A,B", "C", "D" }));
        Assert.That(first.Fingerprint, Is.Not.EqualTo(second.Fingerprint));
    }

    [Test]
    public async Task A_plan_that_changed_under_the_registration_after_a_restart_is_a_problem_with_its_code_not_a_plan()
    {
        var first = await RunningServer.StartAsync(Database);
        QueueSummaryDto summary;
        await using (first)
        {
            summary = (await Agent(first, "1@ci", "Shop.Tests").RegisterAsync(
                [new(["A"], 900)],
                CancellationToken.None)).Value!;
        }

        // The restarted server forgot the queue; another agent registered another plan first.
        await using var restarted = await RunningServer.StartAsync(Database);
        await Agent(restarted, "2@ci", "Shop.Tests").RegisterAsync([new(["B"], 900)], CancellationToken.None);
        var read = await Agent(restarted, "1@ci", "Shop.Tests").PlanAsync(summary, CancellationToken.None);

        Assert.That(read.Value, Is.Null);
        Assert.That(read.Problem, Does.StartWith("BB5018: ").And.Contain(summary.Fingerprint));
    }

    [Test]
    public async Task A_registration_past_the_queue_limits_is_refused_with_413_and_one_adding_nothing_passes()
    {
        await using var server = await RunningServer.StartAsync(Database, new Dictionary<string, string?>
        {
            ["BatchBuild:MaxQueuedTestsPerBatch"] = "1000",
            ["BatchBuild:MaxQueuedTestBatchesPerBatch"] = "10",
            ["BatchBuild:MaxQueuedTests"] = "1500",
        });
        QueuedTestBatchDto[] thousand =
        [
            .. Enumerable.Range(0, 10)
                .Select(b => new QueuedTestBatchDto([.. Enumerable.Range(0, 100).Select(i => $"T{b}.{i}")], 100)),
        ];
        var one = Agent(server, "1@ci", "Shop.Tests");
        var two = Agent(server, "2@ci", "Shop.Tests");
        var other = Agent(server, "1@ci", "Shop.Tests", batch: "ci-other");

        var full = await one.RegisterAsync(thousand, CancellationToken.None);
        var again = await one.RegisterAsync(thousand, CancellationToken.None);
        var moreTests = await two.RegisterAsync([.. thousand, new(["T.New"], 1)], CancellationToken.None);
        var otherAssembly = await Agent(server, "2@ci", "Cart.Tests").RegisterAsync(
            [new(["X"], 1)],
            CancellationToken.None);
        var serverFull = await other.RegisterAsync([.. thousand.Take(6)], CancellationToken.None);
        var fits = await other.RegisterAsync([.. thousand.Take(5)], CancellationToken.None);

        Assert.That(
            (full.Value!.Tests, again.Value!.Tests, again.Value.Fingerprint),
            Is.EqualTo((1000, 1000, full.Value.Fingerprint)),
            "registering again adds nothing");
        Assert.That(
            (moreTests.Status, moreTests.Unreachable),
            Is.EqualTo(((HttpStatusCode?)HttpStatusCode.RequestEntityTooLarge, false)),
            "a refusal, not an outage");
        Assert.That(
            moreTests.Problem,
            Does.Contain("BB5016").And.Contain("1001 tests in 11 test batches").And.Contain("MaxQueuedTestsPerBatch"));
        Assert.That(
            otherAssembly.Status,
            Is.EqualTo(HttpStatusCode.RequestEntityTooLarge),
            "the limit counts every assembly of the batch");
        Assert.That(serverFull.Status, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        Assert.That(serverFull.Problem, Does.Contain("BB5017").And.Contain("MaxQueuedTests"));
        Assert.That(fits.Value!.Tests, Is.EqualTo(500));
        Assert.That(
            (await two.PlanAsync(again.Value, CancellationToken.None)).Value!.Sum(batch => batch.Tests.Count),
            Is.EqualTo(1000),
            "the refused registration changed nothing");
    }

    [Test]
    public async Task Queue_limits_that_are_not_positive_or_pass_the_server_s_limit_stop_the_start()
    {
        var (app, problems) = await BatchServer.CreateAsync(
            [],
            builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["BatchBuild:ConnectionString"] = Path.Combine(Path.GetTempPath(), "never-created.db"),
                ["BatchBuild:AllowAnonymous"] = "true",
                ["AllowedHosts"] = "127.0.0.1",
                ["BatchBuild:MaxQueuedTestsPerBatch"] = "2000000",
                ["BatchBuild:MaxQueuedTestBatchesPerBatch"] = "0",
            }));

        Assert.That(app, Is.Null);
        Assert.That(problems, Is.EqualTo(new[]
        {
            "BB5005: BatchBuild:MaxQueuedTestBatchesPerBatch is 0; use a number from 1 to 2147483647",
            "BB5005: BatchBuild:MaxQueuedTestsPerBatch (2000000) is more than BatchBuild:MaxQueuedTests (1000000), the "
            + "server's limit; lower it, or raise MaxQueuedTests",
        }));
    }
}
