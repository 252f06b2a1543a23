using System.Diagnostics;
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
    public async Task Three_agents_with_a_static_split_run_every_test_exactly_once_into_one_batch_closed_once_by_the_close_step()
    {
        var id = $"agents-{Guid.NewGuid():N}";
        var root = Path.Combine(LocalPackage.Scratch, id);
        var store = Path.Combine(root, "shared", "batchbuild.db");
        var copies = Enumerable.Range(1, 3).Select(agent => AgentCopy(root, agent)).ToList();

        var runs = await Task.WhenAll(Enumerable.Range(1, 3).Select(agent => Task.Run(() => SampleRun.Start(
            "Samples.sln",
            ["-p:BatchBuildStrategy=isolate", $"-p:BatchBuildAgentIndex={agent}", "-p:BatchBuildAgentCount=3", $"-p:BatchBuildBatchId={id}"],
            store: store,
            samples: copies[agent - 1]))));

        foreach (var (run, agent) in runs.Select((run, i) => (run, i + 1)))
        {
            Assert.That(run.Command.ExitCode, Is.Zero, run.Command.ToString());
            Assert.That(run.Command.Output, Does.Contain($"BatchBuild Samples.NUnit: agent {agent} of 3 (the AgentIndex and AgentCount settings) runs"));
            Assert.That(run.Command.Output, Does.Contain($"batch {id} stays open for the other agents"));
            Assert.That(run.Records, Is.Not.Empty, $"agent {agent} ran a share");
        }

        var tests = runs.SelectMany(run => run.Records).Select(r => r.Test).ToList();
        Assert.That(tests, Has.Count.EqualTo(29), "16 NUnit tests, 7 MSTest rows and 6 xUnit rows, across the agents");
        Assert.That(tests.Distinct().Count(), Is.EqualTo(29), "each exactly once");
        Assert.That(runs.SelectMany(run => run.Records).Select(r => r.BatchId).Distinct(), Is.EqualTo(new[] { id }));

        var summary = Path.Combine(root, "summary.json");
        string[] close = ["msbuild", "Samples.NUnit/Samples.NUnit.csproj", "-t:BatchBuildCloseBatch", $"-p:BatchBuildBatchId={id}", $"-p:BatchBuildStore={store}", $"-p:BatchBuildSummaryPath={summary}", "-p:BatchBuildCloseFailOnFailedTests=true"];
        var closed = Dotnet.Run(copies[0], SampleRun.PackageEnvironment, close);
        var again = Dotnet.Run(copies[1], SampleRun.PackageEnvironment, close);

        Assert.That(closed.ExitCode, Is.Zero, closed.ToString());
        var completion = BatchCompletion.FromJson(File.ReadAllText(summary));
        Assert.That((completion.BatchId, completion.Counts.Passed, completion.Counts.Total, completion.Counts.TestBatches), Is.EqualTo((id, 29, 29, 29)));
        Assert.That(again.Output, Does.Contain($"batch {id} was already closed"), "closed once");
    }

    [Test]
    public async Task Three_agents_on_a_server_installed_as_a_dotnet_tool_run_every_test_once_into_one_batch_announced_once()
    {
        const string Key = "bb_agents-end-to-end-key";
        var id = $"agents-server-{Guid.NewGuid():N}";
        var root = Path.Combine(LocalPackage.Scratch, id);
        var copies = Enumerable.Range(1, 3).Select(agent => AgentCopy(root, agent)).ToList();

        // dotnet pack builds the tool package; dotnet tool install puts batchbuild-server in a folder.
        var feed = Path.Combine(root, "feed");
        var pack = Dotnet.Run(Repository.Root, null, "pack", Path.Combine("src", "Server", "BatchBuild.Server.csproj"), "-c", "Release", "-o", feed, $"-p:Version={LocalPackage.Version}");
        Assert.That(pack.ExitCode, Is.Zero, pack.ToString());
        var tools = Path.Combine(root, "tools");
        var install = Dotnet.Run(root, null, "tool", "install", "--tool-path", tools, "--add-source", feed, "--version", LocalPackage.Version, "BatchBuild.Server");
        Assert.That(install.ExitCode, Is.Zero, install.ToString());

        using var hook = new LoopbackServer((_, _) => Task.FromResult(200));
        var port = LoopbackServer.FreePort();
        var server = new ProcessStartInfo(Path.Combine(tools, "batchbuild-server"), ["--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        server.Environment["BatchBuild__ApiKeyHashes__0"] = BatchBuild.Server.ApiKeys.Hash(Key);
        server.Environment["BatchBuild__WebhookUrls__0"] = $"{hook.Url}hooks/batches";
        server.Environment["BatchBuild__OutboxInterval"] = "00:00:01";
        server.Environment["Logging__LogLevel__Default"] = "Warning";
        using var process = Process.Start(server)!;
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, line) => log.Enqueue(line.Data ?? string.Empty);
        process.ErrorDataReceived += (_, line) => log.Enqueue(line.Data ?? string.Empty);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            await ReadyAsync(http, log);
            string[] agentSettings = [$"-p:BatchBuildServerUrl=http://127.0.0.1:{port}", $"-p:BatchBuildApiKey={Key}", $"-p:BatchBuildBatchId={id}", "-p:BatchBuildAgentCount=3"];

            var runs = await Task.WhenAll(Enumerable.Range(1, 3).Select(agent => Task.Run(() => SampleRun.Start(
                "Samples.sln",
                ["-p:BatchBuildStrategy=class-name", $"-p:BatchBuildAgentIndex={agent}", .. agentSettings],
                samples: copies[agent - 1]))));
            Assert.That(runs.Select(run => run.Command.ExitCode), Is.All.Zero, string.Join("\n", runs.Select(run => run.Command.ToString())));
            var tests = runs.SelectMany(run => run.Records).Select(r => r.Test).ToList();
            Assert.That((tests.Count, tests.Distinct().Count()), Is.EqualTo((29, 29)), "every test exactly once across the agents");
            Assert.That(hook.Requests, Is.Empty, "no agent closed the batch");

            var close = Dotnet.Run(copies[2], SampleRun.PackageEnvironment, ["msbuild", "Samples.XUnit/Samples.XUnit.csproj", "-t:BatchBuildCloseBatch", "-p:BatchBuildCloseFailOnFailedTests=true", .. agentSettings]);
            Assert.That(close.ExitCode, Is.Zero, close.ToString());
            for (var wait = 0; wait < 100 && hook.Requests.IsEmpty; wait++)
            {
                await Task.Delay(100);
            }

            await Task.Delay(1500);
            var completion = BatchCompletion.FromJson(hook.Requests.Single().Body);
            Assert.That((completion.BatchId, completion.Reason, completion.Counts.Passed, completion.Counts.Total), Is.EqualTo((id, "explicit", 29, 29)), "one batch, closed once, announced once");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static async Task ReadyAsync(HttpClient http, IEnumerable<string> log)
    {
        for (var attempt = 0; attempt < 150; attempt++)
        {
            try
            {
                using var ready = await http.GetAsync("ready");
                if (ready.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        Assert.Fail($"the server installed as a tool did not become ready within 30 s:\n{string.Join('\n', log)}");
    }

    // A copy of the built samples, as another agent's checkout would be.
    private static string AgentCopy(string root, int agent) =>
        LocalPackage.Copy(LocalPackage.Samples, Path.Combine(root, $"agent-{agent}"), "TestResults", ".batchbuild");
}
