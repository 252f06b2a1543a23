using BatchBuild.Core.Batches;
using Microsoft.Data.Sqlite;

namespace BatchBuild.EndToEnd.Tests;

/// <summary>
/// The batch lifecycle under real <c>dotnet test</c> runs: one batch for a whole solution, closed
/// once after the last project even when a test failed, announced once to a webhook on
/// 127.0.0.1; and a batch left open by one step and closed by a later one.
/// </summary>
public sealed class LifecycleRunTests
{
    [Test]
    public void A_solution_with_a_failing_test_closes_its_batch_once_after_the_last_project()
    {
        using var hook = new LoopbackServer((_, _) => Task.FromResult(200));
        var summary = Path.Combine(LocalPackage.Scratch, "summaries", "solution.json");

        var run = SampleRun.Start(
            "Samples.sln",
            [
                "-p:BatchBuildStrategy=class-name",
                $"-p:BatchBuildWebhookUrl={hook.Url}hooks/batches",
                $"-p:BatchBuildSummaryPath={summary}"],
            new Dictionary<string, string> { ["SAMPLES_FAIL"] = "1" });

        Assert.That(run.Command.ExitCode, Is.Not.Zero, run.Command.ToString());
        var batchId = run.Records.Select(r => r.BatchId).Distinct().Single();
        Assert.That(hook.Requests, Has.Count.EqualTo(1), run.Command.ToString());
        var completion = BatchCompletion.FromJson(hook.Requests.Single().Body);
        Assert.That(
            (completion.BatchId, completion.Reason, completion.Counts.Failed, completion.Counts.Total),
            Is.EqualTo((batchId, "explicit", 1, 29)),
            "16 NUnit tests, 7 MSTest rows and 6 xUnit rows");
        Assert.That(
            completion.FailedTests.Single().Name,
            Is.EqualTo("Samples.NUnit.CheckoutTests.Fails_when_asked_to"));
        Assert.That(completion.FailedTests.Single().Message, Does.Contain("SAMPLES_FAIL=1 makes this test fail"));
        Assert.That(File.ReadAllText(summary), Is.EqualTo(completion.ToJson()));

        // Closed after every project's summary line, once.
        var output = run.Command.Output;
        var closed = output.IndexOf($"BatchBuild batch {batchId} closed (explicit)", StringComparison.Ordinal);
        Assert.That(closed, Is.GreaterThan(0));
        foreach (var project in new[] { "Samples.NUnit", "Samples.MSTest", "Samples.XUnit" })
        {
            Assert.That(
                output.IndexOf(
                    $"BatchBuild {project}: ",
                    output.IndexOf($"BatchBuild {project}: 1", StringComparison.Ordinal) + 1,
                    StringComparison.Ordinal),
                Is.LessThan(closed));
        }

        Assert.That(Batches(run.Store), Is.EqualTo([(batchId, 1L, "Closed", "Explicit")]));
    }

    [Test]
    public void A_batch_left_open_is_closed_by_a_later_step()
    {
        var environment = new Dictionary<string, string>
        {
            ["BATCHBUILD_BATCH_ID"] = "pipeline-42",
            ["BATCHBUILD_DONT_CLOSE_BATCH"] = "true",
        };
        var run = SampleRun.Start(
            "Samples.NUnit/Samples.NUnit.csproj",
            ["-p:BatchBuildStrategy=class-name"],
            environment);
        Assert.That(run.Command.ExitCode, Is.Zero, run.Command.ToString());
        Assert.That(run.Command.Output, Does.Contain("batch pipeline-42 stays open (BatchBuildDontCloseBatch)"));
        Assert.That(Batches(run.Store), Is.EqualTo([("pipeline-42", 1L, "Active", (string?)null)]));

        // The later step has no test project: a one-line project on the BatchBuild SDK, no restore.
        var step = Path.Combine(LocalPackage.Scratch, "last-job");
        Directory.CreateDirectory(step);
        File.Copy(
            Path.Combine(LocalPackage.Samples, "NuGet.config"),
            Path.Combine(step, "NuGet.config"),
            overwrite: true);
        File.WriteAllText(Path.Combine(step, "close.proj"), $"<Project Sdk=\"BatchBuild/{LocalPackage.Version}\" />");
        var summary = Path.Combine(LocalPackage.Scratch, "summaries", "pipeline-42.json");
        string[] close = [
            "msbuild",
            "close.proj",
            "-p:BatchBuildBatchId=pipeline-42",
            $"-p:BatchBuildStore={run.Store}",
            $"-p:BatchBuildSummaryPath={summary}"];
        var first = Dotnet.Run(step, null, close);
        var second = Dotnet.Run(step, null, [.. close, "-t:BatchBuildCloseBatch"]);

        Assert.That(first.ExitCode, Is.Zero, first.ToString());
        Assert.That(first.Output, Does.Contain("BatchBuild batch pipeline-42 closed (explicit): 16 passed, 0 failed"));
        Assert.That(BatchCompletion.FromJson(File.ReadAllText(summary)).Counts.TestBatches, Is.EqualTo(3));
        Assert.That(second.ExitCode, Is.Zero, second.ToString());
        Assert.That(second.Output, Does.Contain("batch pipeline-42 was already closed"));
        Assert.That(Batches(run.Store), Is.EqualTo([("pipeline-42", 1L, "Closed", (string?)"Explicit")]));
    }

    [Test]
    public void The_close_step_fails_on_a_batch_with_failed_tests_when_asked_to()
    {
        var environment = new Dictionary<string, string>
        {
            ["BATCHBUILD_BATCH_ID"] = "pipeline-43",
            ["BATCHBUILD_DONT_CLOSE_BATCH"] = "true",
            ["SAMPLES_FAIL"] = "1",
        };
        var run = SampleRun.Start(
            "Samples.NUnit/Samples.NUnit.csproj",
            ["-p:BatchBuildStrategy=class-name"],
            environment);
        Assert.That(run.Command.ExitCode, Is.Not.Zero, run.Command.ToString());

        var close = Dotnet.Run(
            LocalPackage.Samples,
            SampleRun.PackageEnvironment,
            "msbuild",
            "Samples.MSTest/Samples.MSTest.csproj",
            "-t:BatchBuildCloseBatch",
            "-p:BatchBuildBatchId=pipeline-43",
            $"-p:BatchBuildStore={run.Store}",
            "-p:BatchBuildCloseFailOnFailedTests=true");

        Assert.That(close.ExitCode, Is.Not.Zero, close.ToString());
        Assert.That(
            close.Output,
            Does.Contain("error BB4003: batch pipeline-43 has 1 failed of 16 tests "
                + "(BatchBuildCloseFailOnFailedTests)"));
        Assert.That(
            Batches(run.Store),
            Is.EqualTo([("pipeline-43", 1L, "Closed", (string?)"Explicit")]),
            "closed all the same");
    }

    [Test]
    public void Closing_an_unknown_batch_is_a_warning_unless_asked_to_fail()
    {
        var store = Path.Combine(LocalPackage.Scratch, "stores", "unknown", "batchbuild.db");
        string[] close = [
            "msbuild",
            "Samples.MSTest/Samples.MSTest.csproj",
            "-t:BatchBuildCloseBatch",
            "-p:BatchBuildCloseBatchIds=nope-1%3Bnope-2",
            $"-p:BatchBuildStore={store}"];

        var lenient = Dotnet.Run(LocalPackage.Samples, SampleRun.PackageEnvironment, close);
        var strict = Dotnet.Run(
            LocalPackage.Samples,
            SampleRun.PackageEnvironment,
            [.. close, "-p:BatchBuildCloseFailOnError=true"]);

        Assert.That(lenient.ExitCode, Is.Zero, lenient.ToString());
        Assert.That(
            lenient.Output,
            Does.Contain("warning BB4001: no batch nope-1").And.Contain("warning BB4001: no batch nope-2"));
        Assert.That(strict.ExitCode, Is.Not.Zero);
        Assert.That(strict.Output, Does.Contain("error BB4001: no batch nope-1"));
    }

    private static List<(string, long, string, string?)> Batches(string store)
    {
        using var connection = new SqliteConnection($"Data Source={store};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var query = connection.CreateCommand();
        query.CommandText = "SELECT batch_id, sequence, state, close_reason FROM batches ORDER BY id";
        using var reader = query.ExecuteReader();
        var rows = new List<(string, long, string, string?)>();
        while (reader.Read())
        {
            rows.Add((
                reader.GetString(0),
                reader.GetInt64(1),
                reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3)));
        }

        return rows;
    }
}
