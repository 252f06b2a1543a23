using Microsoft.Data.Sqlite;

namespace BatchBuild.EndToEnd.Tests;

/// <summary>
/// Real <c>dotnet test</c> runs in Microsoft.Testing.Platform mode (samples/Mtp, whose global.json
/// switches it on) of an MSTest runner app that references the BatchBuild package: dotnet test
/// starts BatchBuild's launcher, which runs the app's tests as test batches, each a run of the app
/// of its own that reports to dotnet test.
/// </summary>
public sealed class TestingPlatformRunTests
{
    // 2 tests, 3 data rows, 10 rows with odd arguments and 4 troubled tests.
    private const int Tests = 19;

    private static SampleRun Run(string[] arguments, IReadOnlyDictionary<string, string>? environment = null) =>
        SampleRun.Start(null, arguments, environment, samples: LocalPackage.TestingPlatformSamples);

    [TestCase("isolate", new string[0], 19)]
    [TestCase("fixed-size", new[] { "-p:BatchBuildSize=5" }, 4)]
    [TestCase("class-name", new string[0], 2)]
    public void Every_strategy_runs_each_test_once_one_test_app_run_per_test_batch_all_in_one_batch(string strategy, string[] more, int testBatches)
    {
        var run = Run([$"-p:BatchBuildStrategy={strategy}", .. more]);

        Assert.That(run.Command.ExitCode, Is.Zero, run.Command.ToString());
        Assert.That(run.Command.Output, Does.Contain($"total: {Tests}"), "dotnet test counts every test once");
        var tests = run.Records.Select(record => record.Test).ToList();
        Assert.That((tests.Count, tests.Distinct().Count()), Is.EqualTo((Tests, Tests)), "each test exactly once");
        Assert.That(run.Records.Where(record => record.Test.StartsWith("mstest \"", StringComparison.Ordinal)).Select(record => record.Test).ToList(), Has.Count.EqualTo(10), "every odd name ran");

        var processes = run.Records.GroupBy(record => record.ProcessId).ToList();
        Assert.That(processes, Has.Count.EqualTo(testBatches), "one run of the test app per test batch");
        Assert.That(processes.Select(process => process.Select(record => record.TestBatch).Distinct().Count()), Is.All.EqualTo(1));
        Assert.That(processes.Select(process => process.First().TestBatch).Distinct().Count(), Is.EqualTo(testBatches), "each run saw its own test batch");

        var stored = run.StoredResults();
        var batchId = stored.Select(result => result.BatchId).Distinct().Single();
        Assert.That(run.Records.Select(record => record.BatchId).Distinct(), Is.EqualTo(new[] { batchId }), "every test saw the batch ID");
        Assert.That(stored.Select(result => result.TestBatch).Distinct().Count(), Is.EqualTo(testBatches));
        Assert.That(stored.Select(result => result.FullName).Distinct().Count(), Is.EqualTo(Tests), "history holds each test under a name of its own");
        Assert.That(Batch(run.Store), Is.EqualTo(("Closed", "Explicit", Tests, 0)), "closed once, after the run");
    }

    [Test]
    public void A_failing_test_fails_dotnet_test_and_the_batch_closes_with_it()
    {
        var run = Run(["-p:BatchBuildStrategy=class-name"], new Dictionary<string, string> { ["RETRIES_FAIL"] = "1" });

        Assert.That(run.Command.ExitCode, Is.Not.Zero);
        Assert.That(run.Command.Output, Does.Contain("error BB3002: Mtp.MSTest.Troubled.Fails_when_asked failed in test batch"));
        Assert.That(run.Records.Select(record => record.Test).Distinct().Count(), Is.EqualTo(Tests));
        Assert.That(Batch(run.Store), Is.EqualTo(("Closed", "Explicit", Tests - 1, 1)));
    }

    [Test]
    public void A_test_that_crashes_its_test_host_fails_alone_and_every_other_test_still_runs()
    {
        var run = Run(["-p:BatchBuildStrategy=class-name"], new Dictionary<string, string> { ["RETRIES_CRASH"] = "1" });

        Assert.That(run.Command.ExitCode, Is.Not.Zero);
        Assert.That(run.Command.Output, Does.Contain("error BB3010: Mtp.MSTest.Troubled.Crashes_when_asked crashed its test host in test batch"));
        var runs = run.Records.GroupBy(record => record.Test).ToDictionary(group => group.Key, group => group.Count());
        Assert.That(runs, Has.Count.EqualTo(Tests));
        Assert.That(runs.Where(pair => pair.Key != "mstest Crashes_when_asked").Select(pair => pair.Value), Is.All.EqualTo(1), "the tests the crash cut off ran again, once");
        Assert.That(runs["mstest Crashes_when_asked"], Is.EqualTo(2), "once with its class, once alone");
        Assert.That(Batch(run.Store), Is.EqualTo(("Closed", "Explicit", Tests - 1, 1)));
    }

    // The state, close reason and counts of the one batch in the store.
    private static (string State, string? Reason, int Passed, int Failed) Batch(string store)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = store, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT state, close_reason, passed, failed FROM batches";
        using var reader = command.ExecuteReader();
        Assert.That(reader.Read(), Is.True, "the store holds a batch");
        var batch = (reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3));
        Assert.That(reader.Read(), Is.False, "one batch");
        return batch;
    }
}
