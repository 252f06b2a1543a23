using System.Net;
using System.Net.Http.Json;
using System.Text;
using BatchBuild.Client;
using BatchBuild.Core.Agents;
using BatchBuild.Core.Api;
using BatchBuild.Core.Batches;

namespace BatchBuild.Server.Tests;

/// <summary>
/// The batch queue over real HTTP on 127.0.0.1, through the agents' own client: registration,
/// leases, heartbeats, completion, take-over with a clock moved by hand, the lease timeline, and
/// every bad request answered with a BB code.
/// </summary>
public sealed class AgentQueueApiTests : DatabaseTest
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 8, 0, 0, TimeSpan.Zero);

    public AgentQueueApiTests()
        : base("sqlite")
    {
    }

    private static QueuedTestBatchDto Batch(double millis, params string[] tests) => new(tests, millis);

    private static AgentQueueClient Agent(
        RunningServer server,
        string agent,
        string batch = "ci-queue",
        string assembly = "Shop.Tests") =>
        new(
            server.Client,
            server.Url,
            RunningServer.Key,
            BatchId.Parse(batch),
            assembly,
            agent)
        { FirstRetryDelay = TimeSpan.FromMilliseconds(10) };

    [Test]
    public async Task Agents_register_lease_renew_and_complete_until_the_queue_is_done()
    {
        await using var server = await RunningServer.StartAsync(Database);
        var one = Agent(server, "1@ci");
        var two = Agent(server, "2@ci");

        var registered = await one.RegisterAsync([Batch(100, "A"), Batch(900, "B", "C")], CancellationToken.None);
        var plan = await one.PlanAsync(registered.Value!, CancellationToken.None);
        var union = await two.PlanAsync(
            (await two.RegisterAsync(
                [Batch(900, "B", "C"), Batch(100, "A"), Batch(50, "D")],
                CancellationToken.None)).Value!,
            CancellationToken.None);
        var first = await one.LeaseAsync(CancellationToken.None);
        var second = await two.LeaseAsync(CancellationToken.None);
        var renewed = await one.HeartbeatAsync(first.Value!.Lease!.Id, CancellationToken.None);
        var completed = await one.CompleteAsync(first.Value.Lease.Id, CancellationToken.None);

        Assert.That(plan.Value!.Select(batch => batch.Tests.Count), Is.EqualTo(new[] { 1, 2 }));
        Assert.That(registered.Value!.LeaseMillis, Is.EqualTo(60_000), "a minute by default");
        Assert.That(
            union.Value!.Select(batch => string.Join(",", batch.Tests)),
            Is.EqualTo(new[] { "A", "B,C", "D" }),
            "agent 2 added only D");
        Assert.That(
            (first.Value.Status, first.Value.TestBatch!.Tests),
            Is.EqualTo((LeaseResponse.Leased, (IReadOnlyList<string>)["B", "C"])),
            "the longest first");
        Assert.That(first.Value.HeartbeatMillis, Is.EqualTo(20_000));
        Assert.That(second.Value!.TestBatch!.Tests, Is.EqualTo(new[] { "A" }));
        Assert.That(renewed.Value!.Lease!.Deadline, Is.GreaterThanOrEqualTo(first.Value.Lease.Deadline));
        Assert.That(completed.Value!.Status, Is.EqualTo(CompletionStatus.Completed));

        var waiting = await one.LeaseAsync(CancellationToken.None);
        await two.CompleteAsync(second.Value.Lease!.Id, CancellationToken.None);
        var third = await two.LeaseAsync(CancellationToken.None);
        var done = await one.LeaseAsync(CancellationToken.None);
        await two.CompleteAsync(third.Value!.Lease!.Id, CancellationToken.None);

        Assert.That(
            (waiting.Value!.Status, waiting.Value.RetryAfterMillis),
            Is.EqualTo((LeaseResponse.Waiting, AgentQueue.LongestWait.TotalMilliseconds)),
            "agent 2's lease of A may still expire");
        Assert.That(third.Value.TestBatch!.Tests, Is.EqualTo(new[] { "D" }));
        Assert.That(
            done.Value!.Status,
            Is.EqualTo(LeaseResponse.Done),
            "agent 1 did not discover D, so it has nothing to take over");
        var timeline = await server.Client.GetFromJsonAsync(
            "api/v1/batches/ci-queue/leases",
            ApiJson.Default.LeasesDto);
        Assert.That(timeline!.Leases.Select(lease => (lease.Agent, lease.TestBatch, lease.State)), Is.EqualTo(new[]
        {
            ("1@ci", 2, LeaseState.Completed), ("2@ci", 1, LeaseState.Completed), ("2@ci", 3, LeaseState.Completed),
        }));
    }

    [Test]
    public async Task A_lease_not_renewed_before_its_deadline_is_taken_over_and_its_agent_told_it_is_lost()
    {
        var clock = new ManualClock(Now);
        await using var server = await RunningServer.StartAsync(
            Database,
            new Dictionary<string, string?> { ["BatchBuild:LeaseTimeout"] = "00:00:10" },
            clock);
        var dead = Agent(server, "1@ci");
        var alive = Agent(server, "2@ci");
        await dead.RegisterAsync([Batch(900, "A")], CancellationToken.None);
        await alive.RegisterAsync([Batch(900, "A")], CancellationToken.None);
        var lost = await dead.LeaseAsync(CancellationToken.None);

        clock.Now = Now.AddSeconds(9);
        var wait = await alive.LeaseAsync(CancellationToken.None);
        clock.Now = Now.AddSeconds(11);
        var takeover = await alive.LeaseAsync(CancellationToken.None);
        var heartbeat = await dead.HeartbeatAsync(lost.Value!.Lease!.Id, CancellationToken.None);
        var late = await dead.CompleteAsync(lost.Value.Lease.Id, CancellationToken.None);

        Assert.That(
            (wait.Value!.Status, wait.Value.RetryAfterMillis),
            Is.EqualTo((LeaseResponse.Waiting, 1000.0)),
            "until the lease is due");
        Assert.That((takeover.Value!.TestBatch!.Index, takeover.Value.Lease!.TakenOverFrom), Is.EqualTo((1, "1@ci")));
        Assert.That((heartbeat.Status, heartbeat.Conflict), Is.EqualTo((HttpStatusCode.Conflict, true)));
        Assert.That(heartbeat.Problem, Does.Contain("BB5010"));
        Assert.That(late.Value!.Status, Is.EqualTo(CompletionStatus.Duplicate), "its tests ran twice");
    }

    [Test]
    public async Task Bad_queue_requests_get_a_coded_problem_that_says_what_to_fix()
    {
        await using var server = await RunningServer.StartAsync(Database);
        var stranger = Agent(server, "9@ci");

        using var empty = await server.Client.PostAsync(
            "api/v1/batches/ci-queue/queue",
            Json("""{"assembly":"","agent":"1","testBatches":[{"tests":[],"expectedMillis":-1}]}"""));
        using var badId = await server.Client.PostAsync(
            "api/v1/batches/%20/leases",
            Json("""{"assembly":"A","agent":"1"}"""));
        using var noKey = await server.Anonymous.PostAsync(
            "api/v1/batches/ci-queue/leases",
            Json("""{"assembly":"A","agent":"1"}"""));
        var unregistered = await stranger.LeaseAsync(CancellationToken.None);
        var unknownLease = await stranger.CompleteAsync("no-such-lease", CancellationToken.None);
        using var noTimeline = await server.Client.GetAsync("api/v1/batches/never-queued/leases");

        var problem = await ServerApiTests.ProblemAsync(empty);
        Assert.That(
            (empty.StatusCode, problem.GetProperty("code").GetString()),
            Is.EqualTo((HttpStatusCode.BadRequest, "BB5001")));
        Assert.That(problem.GetProperty("errors").EnumerateArray().Select(error => error.GetString()), Is.EqualTo(new[]
        {
            "assembly: required, at most 2048 characters",
            "testBatches[0].tests: required, at least one test name",
        }));
        Assert.That(badId.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(noKey.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(unregistered.Status, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(unregistered.Problem, Does.Contain("BB5009").And.Contain("register"));
        Assert.That(unknownLease.Problem, Does.Contain("BB5010"));
        Assert.That(
            (await ServerApiTests.ProblemAsync(noTimeline)).GetProperty("code").GetString(),
            Is.EqualTo("BB5004"));
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
