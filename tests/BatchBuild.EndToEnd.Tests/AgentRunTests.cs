using BatchBuild.Core.Batches;

namespace BatchBuild.EndToEnd.Tests;

/// <summary>
/// Several CI agents sharing one run: three concurrent <c>dotnet test</c> processes, each in its own
/// copy of the built sample solution, reporting into one batch in one store file.
/// </summary>
public sealed class AgentRunTests
{
    [Test]
    public async Task Three_agents_with_a_static_split_run_every_test_exactly_once_into_one_batch_closed_once_by_the_close_step()
    {
        var id = $"agents-{Guid.NewGuid():N}";
        var root = Path.Combine(LocalPackage.Scratch, id);
        var store = Path.Combine(root, "shared", "batchbuild.db");
        var copies = Enumerable.Range(1, 3).Select(agent => Copy(LocalPackage.Samples, Path.Combine(root, $"agent-{agent}"))).ToList();

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
        string[] close = ["msbuild", "Samples.NUnit/Samples.NUnit.csproj", "-t:BatchBuildCloseBatch", $"-p:BatchBuildBatchId={id}", $"-p:BatchBuildStore={store}", $"-p:BatchBuildSummaryPath={summary}"];
        var closed = Dotnet.Run(copies[0], SampleRun.PackageEnvironment, close);
        var again = Dotnet.Run(copies[1], SampleRun.PackageEnvironment, close);

        Assert.That(closed.ExitCode, Is.Zero, closed.ToString());
        var completion = BatchCompletion.FromJson(File.ReadAllText(summary));
        Assert.That((completion.BatchId, completion.Counts.Passed, completion.Counts.Total, completion.Counts.TestBatches), Is.EqualTo((id, 29, 29, 29)));
        Assert.That(again.Output, Does.Contain($"batch {id} was already closed"), "closed once");
    }

    // A copy of the built samples, as another agent's checkout would be.
    private static string Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var directory in Directory.EnumerateDirectories(from).Where(directory => Path.GetFileName(directory) is not ("TestResults" or ".batchbuild")))
        {
            Copy(directory, Path.Combine(to, Path.GetFileName(directory)));
        }

        return to;
    }
}
