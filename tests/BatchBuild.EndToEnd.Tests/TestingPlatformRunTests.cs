using System.Xml.Linq;
using BatchBuild.Core.Testing;
using Microsoft.Data.Sqlite;

namespace BatchBuild.EndToEnd.Tests;

/// <summary>
/// Real <c>dotnet test</c> runs in Microsoft.Testing.Platform mode (samples/Mtp, whose global.json
/// switches it on) of four test apps that reference the BatchBuild package — the MSTest runner,
/// xUnit v3, NUnit's runner and TUnit: dotnet test starts BatchBuild's launcher for each, which
/// runs the app's tests as test batches, each a run of the app of its own that reports to dotnet
/// test, on workers the apps share, in one batch closed once after the last app.
/// </summary>
public sealed class TestingPlatformRunTests
{
    // Each app: 2 tests, 3 rows, 10 rows with odd arguments and 4 troubled tests; NUnit's without
    // the one its runner cannot select (see the last test).
    private const int Tests = 19 + 19 + 18 + 19;
    private static readonly string[] Frameworks = ["mstest", "xunit", "nunit", "tunit"];

    private static SampleRun Run(string[] arguments, IReadOnlyDictionary<string, string>? environment = null) =>
        SampleRun.Start(null, arguments, environment, samples: LocalPackage.TestingPlatformSamples);

    [TestCase("isolate", new string[0], Tests)]
    [TestCase("fixed-size", new[] { "-p:BatchBuildSize=5" }, 16)]
    [TestCase("class-name", new string[0], 8)]
    public void Every_strategy_runs_each_test_once_one_test_app_run_per_test_batch_all_in_one_batch(
        string strategy,
        string[] more,
        int testBatches)
    {
        var run = Run([$"-p:BatchBuildStrategy={strategy}", .. more]);

        Assert.That(run.Command.ExitCode, Is.Zero, run.Command.ToString());
        Assert.That(run.Command.Output, Does.Contain($"total: {Tests}"), "dotnet test counts every test once");
        var tests = run.Records.Select(record => record.Test).ToList();
        Assert.That((tests.Count, tests.Distinct().Count()), Is.EqualTo((Tests, Tests)), "each test exactly once");
        foreach (var framework in Frameworks)
        {
            Assert.That(
                run.Records.Count(record => record.Test.StartsWith($"{framework} \"", StringComparison.Ordinal)),
                Is.EqualTo(framework == "nunit" ? 9 : 10),
                $"every odd name of {framework} ran");
        }

        var processes = run.Records.GroupBy(record => record.ProcessId).ToList();
        Assert.That(processes, Has.Count.EqualTo(testBatches), "one run of the test app per test batch");
        Assert.That(
            processes.Select(process => process.Select(record => record.TestBatch).Distinct().Count()),
            Is.All.EqualTo(1));
        Assert.That(
            processes
                .Select(process => (Framework: process.First().Test.Split(' ')[0], process.First().TestBatch))
                .Distinct()
                .Count(),
            Is.EqualTo(testBatches),
            "each run saw its own test batch of its app");

        var stored = run.StoredResults();
        var batchId = stored.Select(result => result.BatchId).Distinct().Single();
        Assert.That(
            run.Records.Select(record => record.BatchId).Distinct(),
            Is.EqualTo([batchId]),
            "every test saw the batch ID");
        Assert.That(
            stored.Select(result => (result.Assembly, result.TestBatch)).Distinct().Count(),
            Is.EqualTo(testBatches));
        Assert.That(
            stored.Select(result => (result.Assembly, result.FullName)).Distinct().Count(),
            Is.EqualTo(Tests),
            "history holds each test under a name of its own");
        Assert.That(Batch(run.Store), Is.EqualTo(("Closed", "Explicit", Tests, 0)), "closed once, after the run");
        var log = File.ReadAllText(Path.Combine(
            LocalPackage.TestingPlatformSamples,
            "TestResults",
            "Mtp.XUnit.batchbuild.log"));
        Assert.That(
            log,
            Does.Contain($"test batches ({strategy})")
                .And.Contain("BatchBuild Mtp.XUnit: 19 tests in")
                .And.Contain("BatchBuild Mtp.XUnit: 19 passed, 0 failed"),
            "dotnet test hides a passing app's output; the log keeps it");
    }

    [Test]
    public void Once_each_apps_listing_is_on_record_a_plan_of_one_test_batch_runs_the_app_whole_before_it()
    {
        string[] one = ["-p:BatchBuildStrategy=fixed-size", "-p:BatchBuildSize=1000"];
        var first = Run(one);
        var second = SampleRun.Start(null, one, store: first.Store, samples: LocalPackage.TestingPlatformSamples);

        Assert.That(first.Command.ExitCode, Is.Zero, first.Command.ToString());
        Assert.That(second.Command.ExitCode, Is.Zero, second.Command.ToString());
        Assert.That(second.Command.Output, Does.Contain($"total: {Tests}"), "dotnet test counts every test once");
        var tests = second.Records.Select(record => record.Test).ToList();
        Assert.That((tests.Count, tests.Distinct().Count()), Is.EqualTo((Tests, Tests)), "each test exactly once");
        Assert.That(
            second.StoredResults().Select(result => (result.Assembly, result.FullName)).Distinct().Count(),
            Is.EqualTo(Tests),
            "history holds each test under the name its listing gave it");
        foreach (var project in new[] { "Mtp.MSTest", "Mtp.XUnit", "Mtp.NUnit", "Mtp.TUnit" })
        {
            var log = File.ReadAllText(Path.Combine(
                LocalPackage.TestingPlatformSamples, "TestResults", $"{project}.batchbuild.log"));
            Assert.That(log, Does.Contain($"BatchBuild {project}: every test runs before discovery"), project);
            Assert.That(
                log,
                Does.Contain($"BatchBuild {project}: the run reported the ").And.Contain("no discovery")
                    .Or.Contain("not those of the last listing: discovery checks them"),
                project);
        }
    }

    [TestCase("Mtp.MSTest")]
    [TestCase("Mtp.XUnit")]
    [TestCase("Mtp.NUnit")]
    [TestCase("Mtp.TUnit")]
    public void Uids_from_a_response_file_select_exactly_their_tests_odd_names_too(string project)
    {
        var app = Path.Combine(
            LocalPackage.TestingPlatformSamples,
            project,
            "bin",
            "Debug",
            "net10.0",
            $"{project}.dll");
        var folder = Path.Combine(LocalPackage.Scratch, "response-files", project);
        Directory.CreateDirectory(folder);
        var listing = Dotnet.Run(folder, null, "exec", app, "--list-tests", "json");
        var uids = ListedTests.Read(app, listing.Output).Tests?.Select(test => test.Id).ToList();
        Assert.That(uids, Is.Not.Null, listing.ToString());

        // A limit of 0 puts every uid a response file can hold into one, as a long test batch does.
        var run = TestAppArguments.ForTestBatch([], uids!, Path.Combine(folder, "batch.rsp"), commandLineLimit: 0);
        File.WriteAllText(Path.Combine(folder, "batch.rsp"), run.ResponseFileText);
        var results = Path.Combine(folder, "results.jsonl");
        var ran = Dotnet.Run(
            folder,
            new Dictionary<string, string> { [TestAppEnvironment.ResultFileVariable] = results },
            ["exec", app, .. run.Arguments]);

        Assert.That(ran.ExitCode, Is.Zero, ran.ToString());
        Assert.That(run.Arguments.Count(argument => argument.StartsWith('@')), Is.EqualTo(1));
        var lines = new ResultLines();
        foreach (var line in File.ReadLines(results))
        {
            lines.Read(line, 0);
        }

        Assert.That(
            lines.Results.Select(result => result.TestId).Order(StringComparer.Ordinal),
            Is.EqualTo(uids!.Order(StringComparer.Ordinal)),
            "each listed test ran once, the odd names among them");
    }

    [Test]
    public void A_failing_test_fails_dotnet_test_and_the_batch_closes_with_it()
    {
        var run = Run(["-p:BatchBuildStrategy=class-name"], new Dictionary<string, string> { ["RETRIES_FAIL"] = "1" });

        Assert.That(run.Command.ExitCode, Is.Not.Zero);
        foreach (var project in new[] { "MSTest", "XUnit", "NUnit", "TUnit" })
        {
            Assert.That(
                run.Command.Output,
                Does.Contain($"error BB3002: Mtp.{project}.Troubled.Fails_when_asked failed in test batch"));
        }

        Assert.That(run.Records.Select(record => record.Test).Distinct().Count(), Is.EqualTo(Tests));
        Assert.That(
            Batch(run.Store),
            Is.EqualTo(("Closed", "Explicit", Tests - 4, 4)),
            "one batch for the four apps, closed once");
    }

    [Test]
    public void A_test_that_crashes_its_test_host_fails_alone_and_every_other_test_still_runs()
    {
        var run = Run(["-p:BatchBuildStrategy=class-name"], new Dictionary<string, string> { ["RETRIES_CRASH"] = "1" });

        Assert.That(run.Command.ExitCode, Is.Not.Zero);
        var runs = run.Records.GroupBy(record => record.Test).ToDictionary(group => group.Key, group => group.Count());
        Assert.That(runs, Has.Count.EqualTo(Tests));
        var frameworks = new[] { ("MSTest", "mstest"), ("XUnit", "xunit"), ("NUnit", "nunit"), ("TUnit", "tunit") };
        foreach (var (project, framework) in frameworks)
        {
            Assert.That(
                run.Command.Output,
                Does.Contain($"error BB3010: Mtp.{project}.Troubled.Crashes_when_asked crashed its test host in test "
                    + $"batch"));
            Assert.That(
                runs[$"{framework} Crashes_when_asked"],
                Is.EqualTo(2),
                $"{framework}: once with its class, once alone");
        }

        Assert.That(
            runs
                .Where(pair => !pair.Key.EndsWith(" Crashes_when_asked", StringComparison.Ordinal))
                .Select(pair => pair.Value),
            Is.All.EqualTo(1),
            "the tests the crash cut off ran again, once");
        Assert.That(Batch(run.Store), Is.EqualTo(("Closed", "Explicit", Tests - 4, 4)));
    }

    [Test]
    public void A_hanging_test_is_killed_at_the_time_limit_and_a_flaky_one_passes_on_its_retry()
    {
        var marker = Path.Combine(LocalPackage.Scratch, "flaky", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.GetDirectoryName(marker)!);
        var run = Run(
            [
                "--project",
                "Mtp.XUnit",
                "-p:BatchBuildStrategy=class-name",
                "-p:BatchBuildTestOutputTimeoutMillis=3000",
                "-p:BatchBuildRetryStrategy=fixed-quota"],
            new Dictionary<string, string> { ["RETRIES_HANG"] = "1", ["RETRIES_FLAKY_MARKER"] = marker });

        Assert.That(run.Command.ExitCode, Is.Not.Zero, "the hanging test fails");
        Assert.That(
            run.Command.Output,
            Does.Contain("error BB3011: Mtp.XUnit.Troubled.Hangs_when_asked timed out in test batch"));
        Assert.That(
            run.Command.Output,
            Does.Contain("warning BB3002: Mtp.XUnit.Troubled.Fails_once_when_asked failed in test batch"));
        Assert.That(run.Command.Output, Does.Contain("1 flaky"));
        Assert.That(
            run.Command.Output,
            Does.Contain("(+1 retried)"),
            "dotnet test counts the flaky test's second run as its retry");
        var runs = run.Records.GroupBy(record => record.Test).ToDictionary(group => group.Key, group => group.Count());
        Assert.That(runs["xunit Fails_once_when_asked"], Is.EqualTo(2));
        Assert.That(Batch(run.Store), Is.EqualTo(("Closed", "Explicit", 18, 1)));
    }

    [Test]
    public void Two_agents_split_an_app_statically_and_together_run_each_test_once()
    {
        var id = $"mtp-agents-{Guid.NewGuid():N}";
        var store = Path.Combine(LocalPackage.Scratch, "stores", id, "batchbuild.db");
        var runs = Enumerable.Range(1, 2).Select(agent => SampleRun.Start(
            null,
            [
                "--project",
                "Mtp.MSTest",
                "-p:BatchBuildStrategy=isolate",
                $"-p:BatchBuildAgentIndex={agent}",
                "-p:BatchBuildAgentCount=2",
                $"-p:BatchBuildBatchId={id}"],
            store: store,
            samples: LocalPackage.TestingPlatformSamples)).ToList();

        Assert.That(
            runs.Select(run => run.Command.ExitCode),
            Is.All.Zero,
            string.Join("\n", runs.Select(run => run.Command.ToString())));
        Assert.That(runs.Select(run => run.Records.Count), Is.All.GreaterThan(0), "each agent ran a share");
        var tests = runs.SelectMany(run => run.Records).Select(record => record.Test).ToList();
        Assert.That((tests.Count, tests.Distinct().Count()), Is.EqualTo((19, 19)), "every test once across the agents");
        Assert.That(
            runs.SelectMany(run => run.Records).Select(record => record.BatchId).Distinct(),
            Is.EqualTo([id]));
        Assert.That(
            Batch(store),
            Is.EqualTo(("Active", (string?)null, 19, 0)),
            "no agent closes the batch under the other");
        var log = File.ReadAllText(Path.Combine(
            LocalPackage.TestingPlatformSamples,
            "TestResults",
            "Mtp.MSTest.batchbuild.log"));
        Assert.That(
            log,
            Does.Contain("BatchBuild Mtp.MSTest: agent 2 of 2 (the AgentIndex and AgentCount settings) runs"));
    }

    [Test]
    public async Task Two_agents_at_once_lease_an_apps_test_batches_from_the_servers_queue()
    {
        var id = $"mtp-queue-{Guid.NewGuid():N}";
        var root = Path.Combine(LocalPackage.Scratch, id);
        await using var server = await ToolServer.StartAsync(root);
        var results = Enumerable.Range(1, 2).Select(agent => Path.Combine(root, $"results-{agent}")).ToList();

        var runs = await Task.WhenAll(Enumerable.Range(1, 2).Select(agent => Task.Run(() => SampleRun.Start(
            null,
            [
                "--project",
                "Mtp.MSTest",
                "-p:BatchBuildStrategy=isolate",
                $"-p:BatchBuildAgentIndex={agent}",
                "-p:BatchBuildAgentCount=2",
                .. server.AgentSettings(id),
                "--results-directory",
                results[agent - 1]],
            samples: LocalPackage.TestingPlatformSamples))));

        Assert.That(
            runs.Select(run => run.Command.ExitCode),
            Is.All.Zero,
            string.Join("\n", runs.Select(run => run.Command.ToString())));
        var tests = runs.SelectMany(run => run.Records).Select(record => record.Test).ToList();
        Assert.That((tests.Count, tests.Distinct().Count()), Is.EqualTo((19, 19)), "every test once across the agents");
        Assert.That(
            runs.SelectMany(run => run.Records).Select(record => record.BatchId).Distinct(),
            Is.EqualTo([id]));
        foreach (var (folder, agent) in results.Select((folder, i) => (folder, i + 1)))
        {
            Assert.That(
                File.ReadAllText(Path.Combine(folder, "Mtp.MSTest.batchbuild.log")),
                Does.Contain($"BatchBuild Mtp.MSTest: agent {agent} of 2 (the AgentIndex and AgentCount settings) "
                    + $"leases test batches from the queue of 19"));
        }
    }

    [Test]
    public void The_trx_report_of_an_app_holds_every_test_of_every_test_batch()
    {
        var results = Path.Combine(LocalPackage.Scratch, "trx", Guid.NewGuid().ToString("N"));
        var run = Run([
            "--project",
            "Mtp.MSTest",
            "-p:BatchBuildStrategy=isolate",
            "--report-trx",
            "--results-directory",
            results]);

        Assert.That(run.Command.ExitCode, Is.Zero, run.Command.ToString());
        Assert.That(run.Records, Has.Count.EqualTo(19));
        var report = XDocument.Load(Directory.GetFiles(results, "*.trx").Single());
        XNamespace trx = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";
        Assert.That(
            report.Descendants(trx + "UnitTestResult").Count(),
            Is.EqualTo(19),
            "19 test batches, one report with each test");
        Assert.That(report.Descendants(trx + "Counters").Single().Attribute("passed")!.Value, Is.EqualTo("19"));
    }

    [Test]
    public void A_test_the_framework_does_not_run_when_selected_by_uid_is_reported_not_lost()
    {
        var run = Run(
            ["-p:BatchBuildStrategy=class-name"],
            new Dictionary<string, string> { ["SAMPLES_NUNIT_QUOTE"] = "1" });

        Assert.That(run.Command.ExitCode, Is.Not.Zero, "a test without a result fails the run");
        Assert.That(
            run.Command.Output,
            Does.Contain("error BB3003: Mtp.NUnit.Basics.Tricky [Tricky(\"say \\\"hi\\\"\")] reported no result in "
                + "test batch")
                .And.Contain("its test batch ran to the end without it: the test framework did not run it when "
                    + "selected"));
        Assert.That(
            run.Records.Select(record => record.Test).Distinct().Count(),
            Is.EqualTo(Tests),
            "every other test ran");
    }

    // The state, close reason and counts of the one batch in the store.
    private static (string State, string? Reason, int Passed, int Failed) Batch(string store)
    {
        var readOnly = new SqliteConnectionStringBuilder
        {
            DataSource = store,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        };
        using var connection = new SqliteConnection(readOnly.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT state, close_reason, passed, failed FROM batches";
        using var reader = command.ExecuteReader();
        Assert.That(reader.Read(), Is.True, "the store holds a batch");
        var batch = (
            reader.GetString(0),
            reader.IsDBNull(1) ? null : reader.GetString(1),
            reader.GetInt32(2),
            reader.GetInt32(3));
        Assert.That(reader.Read(), Is.False, "one batch");
        return batch;
    }
}
