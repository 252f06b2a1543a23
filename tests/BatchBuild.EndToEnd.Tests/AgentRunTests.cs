using BatchBuild.Core.Batches;

namespace BatchBuild.EndToEnd.Tests;

/// <summary>
/// Several CI agents sharing one run: three concurrent <c>dotnet test</c> processes, each in its own
/// copy of the built sample solution, reporting into one batch, in one store file or on a batch
/// server installed as a .NET tool, as its README says.
/// </summary>
public sealed class AgentRunTests
{
    [Test]
    public async Task Three_agents_split_statically_run_each_test_once_into_one_batch_closed_once_by_the_close_step()
    {
        var id = $"agents-{Guid.NewGuid():N}";
        var root = Path.Combine(LocalPackage.Scratch, id);
        var store = Path.Combine(root, "shared", "batchbuild.db");
        var copies = Enumerable.Range(1, 3).Select(agent => AgentCopy(root, agent)).ToList();

        var runs = await Task.WhenAll(Enumerable.Range(1, 3).Select(agent => Task.Run(() => SampleRun.Start(
            "Samples.sln",
            [
                "-p:BatchBuildStrategy=isolate",
                $"-p:BatchBuildAgentIndex={agent}",
                "-p:BatchBuildAgentCount=3",
                $"-p:BatchBuildBatchId={id}"],
            store: store,
            samples: copies[agent - 1]))));

        foreach (var (run, agent) in runs.Select((run, i) => (run, i + 1)))
        {
            Assert.That(run.Command.ExitCode, Is.Zero, run.Command.ToString());
            Assert.That(
                run.Command.Output,
                Does.Contain($"BatchBuild Samples.NUnit: agent {agent} of 3 (the AgentIndex and AgentCount settings) "
                    + $"runs"));
            Assert.That(run.Command.Output, Does.Contain($"batch {id} stays open for the other agents"));
            Assert.That(run.Records, Is.Not.Empty, $"agent {agent} ran a share");
        }

        var tests = runs.SelectMany(run => run.Records).Select(r => r.Test).ToList();
        Assert.That(tests, Has.Count.EqualTo(29), "16 NUnit tests, 7 MSTest rows and 6 xUnit rows, across the agents");
        Assert.That(tests.Distinct().Count(), Is.EqualTo(29), "each exactly once");
        Assert.That(runs.SelectMany(run => run.Records).Select(r => r.BatchId).Distinct(), Is.EqualTo([id]));

        var summary = Path.Combine(root, "summary.json");
        string[] close = [
            "msbuild",
            "Samples.NUnit/Samples.NUnit.csproj",
            "-t:BatchBuildCloseBatch",
            $"-p:BatchBuildBatchId={id}",
            $"-p:BatchBuildStore={store}",
            $"-p:BatchBuildSummaryPath={summary}",
            "-p:BatchBuildCloseFailOnFailedTests=true"];
        var closed = Dotnet.Run(copies[0], SampleRun.PackageEnvironment, close);
        var again = Dotnet.Run(copies[1], SampleRun.PackageEnvironment, close);

        Assert.That(closed.ExitCode, Is.Zero, closed.ToString());
        var completion = BatchCompletion.FromJson(File.ReadAllText(summary));
        Assert.That(
            (completion.BatchId, completion.Counts.Passed, completion.Counts.Total, completion.Counts.TestBatches),
            Is.EqualTo((id, 29, 29, 29)));
        Assert.That(completion.Counts.Agents, Is.EqualTo(3), "three agents on one machine count apart");
        Assert.That(again.Output, Does.Contain($"batch {id} was already closed"), "closed once");
    }

    [TestCase("queue")]
    [TestCase("static")]
    public async Task Three_agents_on_the_dotnet_tool_server_run_each_test_once_into_one_batch_announced_once(
        string distribution)
    {
        var id = $"agents-{distribution}-{Guid.NewGuid():N}";
        var root = Path.Combine(LocalPackage.Scratch, id);
        var copies = Enumerable.Range(1, 3).Select(agent => AgentCopy(root, agent)).ToList();
        using var hook = new LoopbackServer((_, _) => Task.FromResult(200));
        await using var server = await ToolServer.StartAsync(
            root,
            ("BatchBuild__WebhookUrls__0", $"{hook.Url}hooks/batches"),
            ("BatchBuild__OutboxInterval", "00:00:01"));
        string[] agentSettings = [.. server.AgentSettings(id), "-p:BatchBuildAgentCount=3"];
        string[] mode = distribution == "queue" ? [] : ["-p:BatchBuildDistribution=static"];

        var runs = await Task.WhenAll(Enumerable.Range(1, 3).Select(agent => Task.Run(() => SampleRun.Start(
            "Samples.sln",
            ["-p:BatchBuildStrategy=class-name", $"-p:BatchBuildAgentIndex={agent}", .. agentSettings, .. mode],
            samples: copies[agent - 1]))));

        Assert.That(
            runs.Select(run => run.Command.ExitCode),
            Is.All.Zero,
            string.Join("\n", runs.Select(run => run.Command.ToString())));
        Assert.That(
            runs.Select(run => run.Command.Output),
            Is.All.Contain(distribution == "queue" ? "leases test batches from the queue of" : "(static split of the "
                + "plan stored on the batch server)"),
            "the default with a server is the queue");
        var tests = runs.SelectMany(run => run.Records).Select(r => r.Test).ToList();
        Assert.That(
            (tests.Count, tests.Distinct().Count()),
            Is.EqualTo((29, 29)),
            "every test exactly once across the agents");
        Assert.That(runs.SelectMany(run => run.Records).Select(r => r.BatchId).Distinct(), Is.EqualTo([id]));
        Assert.That(hook.Requests, Is.Empty, "no agent closed the batch");

        var close = Dotnet.Run(
            copies[2],
            SampleRun.PackageEnvironment,
            [
                "msbuild",
                "Samples.XUnit/Samples.XUnit.csproj",
                "-t:BatchBuildCloseBatch",
                "-p:BatchBuildCloseFailOnFailedTests=true",
                .. agentSettings]);
        Assert.That(close.ExitCode, Is.Zero, close.ToString());
        for (var wait = 0; wait < 100 && hook.Requests.IsEmpty; wait++)
        {
            await Task.Delay(100);
        }

        await Task.Delay(1500);
        var completion = BatchCompletion.FromJson(hook.Requests.Single().Body);
        Assert.That(
            (completion.BatchId, completion.Reason, completion.Counts.Passed, completion.Counts.Total),
            Is.EqualTo((id, "explicit", 29, 29)),
            "one batch, closed once, announced once");
        Assert.That(
            completion.Counts.Agents,
            Is.EqualTo(runs.Count(run => run.Records.Count > 0)),
            "each agent that ran tests counts once");
    }

    [Test]
    public async Task In_queue_mode_a_killed_agents_test_batch_is_taken_over_by_another_and_nothing_is_lost()
    {
        var id = $"agents-killed-{Guid.NewGuid():N}";
        var root = Path.Combine(LocalPackage.Scratch, id);
        const string Project = "Retries/Retries.NUnit/Retries.NUnit.csproj";
        var build = Dotnet.Run(LocalPackage.Samples, SampleRun.PackageEnvironment, "build", Project, "-v:quiet");
        Assert.That(build.ExitCode, Is.Zero, build.ToString());
        var copies = Enumerable.Range(1, 2).Select(agent => AgentCopy(root, agent)).ToList();
        await using var server = await ToolServer.StartAsync(root, ("BatchBuild__LeaseTimeout", "00:00:03"));
        string[] settings = [
            .. server.AgentSettings(id),
            "-p:BatchBuildAgentCount=2",
            "-p:BatchBuildStrategy=fixed-size",
            "-p:BatchBuildSize=3",
            "--filter",
            "FullyQualifiedName~Retries.Hang"];

        // Agent 1 leases the one test batch and hangs in it; agent 2 waits for it, and takes it
        // over once agent 1, killed, stops renewing its lease.
        using var kill = new CancellationTokenSource();
        var first = Task.Run(() => SampleRun.Start(
            Project,
            [.. settings, "-p:BatchBuildAgentIndex=1"],
            new Dictionary<string, string> { ["RETRIES_HANG"] = "1" },
            samples: copies[0],
            kill: kill.Token));
        IReadOnlyList<System.Text.Json.JsonElement> held;
        Task<SampleRun> second;
        try
        {
            held = await server.WaitForLeasesAsync(
                id,
                leases => leases.Any(lease => lease.GetProperty("state").GetString() == "Running"),
                TimeSpan.FromSeconds(120));
            second = Task.Run(() => SampleRun.Start(
                Project,
                [.. settings, "-p:BatchBuildAgentIndex=2"],
                samples: copies[1]));

            // Killed once it hangs in the test, however long a busy machine takes to get there.
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(120);
            while (!SampleRun.HasStarted("nunit A_hangs_when_asked") && DateTime.UtcNow < until && !first.IsCompleted)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250));
            }
        }
        finally
        {
            await kill.CancelAsync();
        }

        var killed = await first;
        var taker = await second;

        Assert.That(killed.Command.ExitCode, Is.Not.Zero, "killed");
        Assert.That(
            killed.Records.Select(r => r.Test),
            Is.EqualTo(["nunit A_hangs_when_asked"]),
            "it started the hanging test and got no further");
        Assert.That(taker.Command.ExitCode, Is.Zero, taker.Command.ToString());
        Assert.That(
            taker.Command.Output,
            Does.Match(@"warning BB5103: Retries\.NUnit: agent 2@\S+ takes over test batch 1 from agent 1@"));
        Assert.That(
            taker.Records.Select(r => r.Test).Order(),
            Is.EqualTo(["nunit A_hangs_when_asked", "nunit hang B_passes", "nunit hang C_passes"]),
            "the test batch ran on agent 2, each test once");
        var leases = await server.WaitForLeasesAsync(
            id,
            all => all.Count == 2 && all[1].GetProperty("state").GetString() == "Completed",
            TimeSpan.FromSeconds(10));
        Assert.That(
            leases.Select(lease => (lease.GetProperty("testBatch").GetInt32(), lease.GetProperty("state").GetString())),
            Is.EqualTo([(1, "Expired"), (1, "Completed")]));
        Assert.That(
            leases[1].GetProperty("takenOverFrom").GetString(),
            Is.EqualTo(held[0].GetProperty("agent").GetString()));
        Assert.That(held[0].GetProperty("agent").GetString(), Does.StartWith("1@"));
    }

    [Test]
    public async Task In_queue_mode_agents_whose_server_stops_mid_run_finish_their_static_share_and_lose_nothing()
    {
        var id = $"agents-fallback-{Guid.NewGuid():N}";
        var root = Path.Combine(LocalPackage.Scratch, id);
        var copies = Enumerable.Range(1, 3).Select(agent => AgentCopy(root, agent)).ToList();
        var server = await ToolServer.StartAsync(root);
        string[] settings = [.. server.AgentSettings(id), "-p:BatchBuildAgentCount=3", "-p:BatchBuildStrategy=isolate"];

        var runs = Enumerable.Range(1, 3)
            .Select(agent => Task.Run(() => SampleRun.Start(
                "Samples.sln",
                [.. settings, $"-p:BatchBuildAgentIndex={agent}"],
                samples: copies[agent - 1])))
            .ToList();
        await server.WaitForLeasesAsync(id, leases => leases.Count > 0, TimeSpan.FromSeconds(120));
        await server.DisposeAsync();
        var done = await Task.WhenAll(runs);

        Assert.That(
            done.Select(run => run.Command.ExitCode),
            Is.All.Zero,
            string.Join("\n", done.Select(run => run.Command.ToString())));
        Assert.That(done.Select(run => run.Command.Output), Is.All.Contain("warning BB5102"), "every agent fell back");
        Assert.That(
            done.SelectMany(run => run.Records).Select(r => r.Test).Distinct().Count(),
            Is.EqualTo(29),
            "every test ran, some perhaps twice");
    }

    // A copy of the built samples, as another agent's checkout would be.
    private static string AgentCopy(string root, int agent) =>
        LocalPackage.Copy(LocalPackage.Samples, Path.Combine(root, $"agent-{agent}"), "TestResults", ".batchbuild");
}
