using System.Net;
using System.Net.Http.Json;
using System.Text;
using BatchBuild.Client;
using BatchBuild.Core;
using BatchBuild.Core.Agents;
using BatchBuild.Core.Api;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Store;

namespace BatchBuild.Server.Tests;

/// <summary>
/// A re-run of a failed agent job over real HTTP on 127.0.0.1, through the agents' own clients: it
/// re-opens the run's batch, leases from the queue only what the run left unfinished, gets the
/// run's plan for a static split, and the close closes the run's batch again.
/// </summary>
public sealed class RerunApiTests : DatabaseTest
{
    private static readonly BatchId Run = BatchId.Parse("github-77");
    private readonly List<Diagnostic> _messages = [];
    private string _folder = string.Empty;

    public RerunApiTests()
        : base("sqlite")
    {
    }

    [SetUp]
    public void CreateSpoolFolder()
    {
        _folder = Directory.CreateTempSubdirectory("batchbuild-rerun-").FullName;
        _messages.Clear();
    }

    [TearDown]
    public void DeleteSpoolFolder() => Directory.Delete(_folder, recursive: true);

    private ServerResultStore Store(RunningServer server) =>
        new(
            server.Client,
            server.Url,
            RunningServer.Key,
            new ResultSpool(Path.Combine(_folder, "spool")),
            _messages.Add)
        { FirstRetryDelay = TimeSpan.FromMilliseconds(10) };

    private static AgentQueueClient Agent(RunningServer server, string agent) =>
        new(
            server.Client,
            server.Url,
            RunningServer.Key,
            Run,
            "Shop.Tests",
            agent)
        { FirstRetryDelay = TimeSpan.FromMilliseconds(10) };

    // Agent 2 leases A and B first and fails B; agent 1 runs the rest.
    private static readonly QueuedTestBatchDto[] Plan = [new(["A", "B"], 900), new(["C", "D"], 800), new(["E"], 100)];

    private static TestResultRecord Result(
        string name,
        string agent,
        int testBatch,
        TestRunOutcome outcome = TestRunOutcome.Passed) =>
        new(
            Run,
            testBatch,
            new TestKey("Shop.Tests", name),
            name,
            outcome,
            50,
            DateTimeOffset.UtcNow,
            agent,
            $"{agent}-{testBatch}",
            outcome == TestRunOutcome.Failed ? "boom" : null);

    // Leases until the queue says done, recording each test batch's results as the outcome says.
    private static async Task<List<QueuedTestBatch>> LeaseAllAsync(
        AgentQueueClient agent,
        ServerResultStore store,
        Func<string, TestRunOutcome> outcome)
    {
        var leased = new List<QueuedTestBatch>();
        for (var reply = await agent.LeaseAsync(
            CancellationToken.None); reply.Value!.Status != LeaseResponse.Done; reply = await agent.LeaseAsync(
                CancellationToken.None))
        {
            if (reply.Value.TestBatch is not { } batch)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(reply.Value.RetryAfterMillis ?? 20));
                continue;
            }

            leased.Add(batch);
            await store.RecordResultsAsync([.. batch.Tests.Select(test => Result(
                test,
                agent.Agent,
                batch.Index,
                outcome(test)))]);
            await agent.CompleteAsync(reply.Value.Lease!.Id, CancellationToken.None);
        }

        return leased;
    }

    [Test]
    public async Task A_failed_queue_agent_s_re_run_leases_only_what_its_run_left_and_closes_the_run_s_batch_again()
    {
        await using var server = await RunningServer.StartAsync(Database);
        var store = Store(server);
        var one = Agent(server, "1@vm-a");
        var two = Agent(server, "2@vm-b");
        await one.RegisterAsync(Plan, CancellationToken.None);
        await two.RegisterAsync(Plan, CancellationToken.None);
        var ofTwo = await two.LeaseAsync(CancellationToken.None);
        await LeaseAllAsync(one, store, _ => TestRunOutcome.Passed);
        await store.RecordResultsAsync([Result("A", "2@vm-b", 1), Result("B", "2@vm-b", 1, TestRunOutcome.Failed)]);
        await two.CompleteAsync(ofTwo.Value!.Lease!.Id, CancellationToken.None);
        using (await server.Client.PostAsync("api/v1/batches/github-77/close", null))
        {
        }

        var joined = await store.JoinRerunAsync(Run, new Rerun(2, 2, 2));
        var rerun = Agent(server, "2@vm-c");
        var summary = await rerun.RegisterAsync(Plan, CancellationToken.None);
        var stored = await rerun.PlanAsync(summary.Value!, CancellationToken.None);
        var leased = await LeaseAllAsync(rerun, store, _ => TestRunOutcome.Passed);
        using var close = await server.Client.PostAsync("api/v1/batches/github-77/close", null);
        var closed = await close.Content.ReadFromJsonAsync(ApiJson.Default.CloseResponse);

        Assert.That(
            (joined!.Status, joined.Batch.Sequence, joined.Batch.Rerun),
            Is.EqualTo((RerunStatus.Reopened, 1, true)));
        Assert.That(
            stored.Value!.Select(batch => batch.Tests.Count),
            Is.EqualTo(new[] { 2, 2, 1 }),
            "the run's plan, for a static split");
        Assert.That(
            leased.Select(batch => (batch.Index, string.Join(",", batch.Tests))),
            Is.EqualTo(new[] { (1, "B") }),
            "only the failed test");
        Assert.That(
            (closed!.Status, closed.Batch!.Sequence, closed.Batch.Rerun, closed.Batch.CiAttempt),
            Is.EqualTo(("closed", 1, true, 2)));
        Assert.That(
            (
                closed.Batch.Counts.Total,
                closed.Batch.Counts.Passed,
                closed.Batch.Counts.Failed,
                closed.Batch.Counts.Flaky),
            Is.EqualTo((5, 5, 0, 1)));
        Assert.That(_messages.Where(message => message.Code is not null), Is.Empty);
    }

    [Test]
    public async Task A_re_run_naming_no_re_run_is_refused_with_BB5001_and_one_the_server_cannot_take_is_BB5104()
    {
        await using var server = await RunningServer.StartAsync(Database);
        using var first = await server.Client.PostAsync(
            "api/v1/batches/github-77/rerun",
            new StringContent("""{"attempt":1,"agentIndex":3,"agentCount":2}""", Encoding.UTF8, "application/json"));
        var problem = await first.Content.ReadAsStringAsync();

        var unreachable = await new ServerResultStore(
            server.Client,
            new Uri("http://127.0.0.1:9"),
            RunningServer.Key,
            new ResultSpool(Path.Combine(_folder, "spool")),
            _messages.Add)
        { FirstRetryDelay = TimeSpan.FromMilliseconds(10), AttemptTimeout = TimeSpan.FromSeconds(2) }
            .JoinRerunAsync(Run, new Rerun(2, 1, 1));

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(
            problem,
            Does.Contain("BB5001").And.Contain("attempt: required, 2 to").And.Contain(
                "agentIndex: required, 1 to agentCount"));
        Assert.That(unreachable, Is.Null);
        Assert.That(_messages.Single().Code, Is.EqualTo("BB5104"));
    }
}
