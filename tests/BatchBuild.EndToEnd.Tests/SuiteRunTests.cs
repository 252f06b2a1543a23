namespace BatchBuild.EndToEnd.Tests;

/// <summary>
/// Real <c>dotnet test</c> runs of the whole sample solution and of its failure paths: one batch
/// across NUnit, MSTest and xUnit projects, failures that fail the run, bad configuration that
/// stops it before a test runs, and the collector on a run BatchBuild did not plan.
/// </summary>
public sealed class SuiteRunTests
{
    [Test]
    public void A_solution_runs_as_one_batch_across_NUnit_MSTest_and_xUnit()
    {
        var run = SampleRun.Start("Samples.sln", ["-p:BatchBuildStrategy=isolate"]);

        Assert.That(run.Command.ExitCode, Is.Zero, run.Command.ToString());
        Assert.That(
            run.Records.Select(r => r.BatchId).Distinct().ToList(),
            Has.Count.EqualTo(1),
            "every project sees one batch ID");
        Assert.That(run.Records.Select(r => r.Test), Is.Unique);
        Assert.That(
            run.Records.Count(r => r.Test.StartsWith("Samples.NUnit.", StringComparison.Ordinal)),
            Is.EqualTo(16));
        Assert.That(
            run.Records.Count(r => r.Test.StartsWith("Samples.MSTest.", StringComparison.Ordinal)),
            Is.EqualTo(7));
        Assert.That(
            run.Records.Count(r => r.Test.StartsWith("Samples.XUnit.", StringComparison.Ordinal)),
            Is.EqualTo(6));

        // Data rows and theory rows share one name but are tests of their own: under isolate,
        // each runs in a test host of its own.
        Assert.That(
            run.Records
                .Where(r => r.Test.StartsWith("Samples.MSTest.ShippingTests.Delivery_days", StringComparison.Ordinal))
                .ToList(),
            Has.Count.EqualTo(3));
        Assert.That(ProcessesOf(run, "Samples.MSTest.ShippingTests.Delivery_days"), Has.Count.EqualTo(3));
        var rows = run.Records.Count(r => r.Test.StartsWith(
            "Samples.XUnit.AccountTests.Name_is_stored",
            StringComparison.Ordinal));
        Assert.That(rows, Is.GreaterThan(1));
        Assert.That(ProcessesOf(run, "Samples.XUnit.AccountTests.Name_is_stored"), Has.Count.EqualTo(rows));
    }

    [Test]
    public void Code_coverage_of_every_test_batch_comes_out_merged_as_after_a_plain_run()
    {
        var run = SampleRun.Start(
            "Samples.NUnit/Samples.NUnit.csproj",
            ["-p:BatchBuildStrategy=class-name", "--collect", "Code Coverage"]);

        Assert.That(run.Command.ExitCode, Is.Zero, run.Command.ToString());
        var attachments = run.Command.Output[run.Command.Output.LastIndexOf("Attachments:", StringComparison.Ordinal)..]
            .Split('\n', StringSplitOptions.TrimEntries)
            .Where(line => line.EndsWith(".coverage", StringComparison.Ordinal))
            .ToList();
        Assert.That(attachments, Has.Count.EqualTo(1), run.Command.ToString());
        Assert.That(File.Exists(attachments[0]), Is.True);
    }

    [Test]
    public void A_failing_test_fails_the_run_and_its_result_is_kept()
    {
        var run = SampleRun.Start(
            "Samples.NUnit/Samples.NUnit.csproj",
            ["-p:BatchBuildStrategy=class-name"],
            new Dictionary<string, string> { ["SAMPLES_FAIL"] = "1" });

        Assert.That(run.Command.ExitCode, Is.Not.Zero, run.Command.ToString());
        Assert.That(
            run.Command.Output,
            Does.Contain("error BB3002: Samples.NUnit.CheckoutTests.Fails_when_asked_to failed in test batch"));
        Assert.That(run.Command.Output, Does.Contain("BatchBuild Samples.NUnit: 15 passed, 1 failed"));
        Assert.That(run.Records, Has.Count.EqualTo(16), "the other tests still ran");
        var stored = run
            .StoredResults()
            .Single(r => r.FullName.EndsWith(".Fails_when_asked_to", StringComparison.Ordinal));
        Assert.That(stored.Outcome, Is.EqualTo("Failed"));
    }

    [Test]
    public void An_unknown_strategy_stops_the_run_before_any_test()
    {
        var run = SampleRun.Start("Samples.NUnit/Samples.NUnit.csproj", ["-p:BatchBuildStrategy=round-robin"]);

        Assert.That(run.Command.ExitCode, Is.Not.Zero);
        Assert.That(run.Command.Output, Does.Contain("error BB1003"));
        Assert.That(run.Command.Output, Does.Contain("round-robin"));
        Assert.That(run.Command.Output, Does.Not.Contain("   at "), "no stack trace");
        Assert.That(run.Records, Is.Empty);
    }

    [Test]
    public void A_bad_batch_ID_is_refused_with_its_rule()
    {
        var run = SampleRun.Start(
            "Samples.NUnit/Samples.NUnit.csproj",
            [],
            new Dictionary<string, string> { ["BATCHBUILD_BATCH_ID"] = "two\twords" });

        Assert.That(run.Command.ExitCode, Is.Not.Zero);
        Assert.That(run.Command.Output, Does.Contain("error BB1007"));
        Assert.That(run.Records, Is.Empty);
    }

    [Test]
    public void An_explicit_batch_ID_reaches_every_test_and_can_be_exported_for_Applitools()
    {
        var run = SampleRun.Start(
            "Samples.NUnit/Samples.NUnit.csproj",
            ["-p:BatchBuildStrategy=class-name", "-p:BatchBuildExportApplitoolsBatchId=true"],
            new Dictionary<string, string> { ["BATCHBUILD_BATCH_ID"] = "nightly-2026.11.23" });

        Assert.That(run.Command.ExitCode, Is.Zero, run.Command.ToString());
        Assert.That(run.Records, Has.Count.EqualTo(16));
        Assert.That(run.Records.Select(r => r.BatchId), Is.All.EqualTo("nightly-2026.11.23"));
        Assert.That(run.Records.Select(r => r.ApplitoolsBatchId), Is.All.EqualTo("nightly-2026.11.23"));
        Assert.That(run.StoredResults().Select(r => r.BatchId), Is.All.EqualTo("nightly-2026.11.23"));
    }

    [Test]
    public void The_collector_records_a_run_BatchBuild_did_not_plan()
    {
        // Without the BatchBuild targets, the MSBuild property does not reach the collector: the variable does.
        var store = Path.Combine(LocalPackage.Scratch, "stores", "collector", "batchbuild.db");
        var run = SampleRun.Start(
            "Samples.NUnit/Samples.NUnit.csproj",
            ["-p:BatchBuildEnabled=false", "--collect", "BatchBuild"],
            new Dictionary<string, string> { ["BATCHBUILD_BATCH_ID"] = "plain-run-1", ["BATCHBUILD_STORE"] = store },
            store);

        Assert.That(run.Command.ExitCode, Is.Zero, run.Command.ToString());
        Assert.That(run.Records, Has.Count.EqualTo(16));
        Assert.That(run.TestsByProcess, Has.Count.EqualTo(1), "one test host, as plain dotnet test runs it");
        Assert.That(run.Records.Select(r => r.BatchId), Is.All.EqualTo("plain-run-1"));
        Assert.That(run.Records.Select(r => r.TestBatch), Is.All.EqualTo("1"));
        var stored = run.StoredResults();
        Assert.That(stored, Has.Count.EqualTo(16));
        Assert.That(stored.Select(r => r.BatchId), Is.All.EqualTo("plain-run-1"));
    }

    [Test]
    public void The_collector_works_from_a_runsettings_file_without_MSBuild()
    {
        var store = Path.Combine(LocalPackage.Scratch, "stores", "vstest-only", "batchbuild.db");
        var records = Path.Combine(LocalPackage.Scratch, "records", "vstest-only");
        var settings = Path.Combine(LocalPackage.Scratch, "collector.runsettings");
        File.WriteAllText(settings, $"""
            <RunSettings>
              <RunConfiguration>
                <TestAdaptersPaths>{LocalPackage.PackageTasks}</TestAdaptersPaths>
              </RunConfiguration>
              <DataCollectionRunSettings>
                <DataCollectors>
                  <DataCollector friendlyName="BatchBuild">
                    <Configuration>
                      <BatchId>vstest-only-1</BatchId>
                      <Store>{store}</Store>
                      <ExportApplitoolsBatchId>true</ExportApplitoolsBatchId>
                    </Configuration>
                  </DataCollector>
                </DataCollectors>
              </DataCollectionRunSettings>
            </RunSettings>
            """);
        var assembly = Path.Combine(
            LocalPackage.Samples,
            "Samples.XUnit",
            "bin",
            "Debug",
            "net10.0",
            "Samples.XUnit.dll");

        var run = Dotnet.Run(
            LocalPackage.Samples,
            new Dictionary<string, string> { ["SAMPLES_RECORD_DIR"] = records },
            "exec",
            VSTestConsole(),
            assembly,
            $"--Settings:{settings}");

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        var lines = Directory.EnumerateFiles(records)
            .SelectMany(File.ReadAllLines)
            .Select(line => line.Split('\t'))
            .ToList();
        Assert.That(lines, Has.Count.EqualTo(6));
        Assert.That(lines.Select(fields => (fields[1], fields[5])), Is.All.EqualTo(("vstest-only-1", "vstest-only-1")));
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection(
            $"Data Source={store};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM test_results WHERE batch_id = 'vstest-only-1' AND assembly = "
            + "'Samples.XUnit'";
        Assert.That(count.ExecuteScalar(), Is.EqualTo(5L), "one record per selectable test: theory rows add up to one");
    }

    private static string VSTestConsole()
    {
        var version = Dotnet.Run(Repository.Root, null, "--version").Output.Trim();
        var sdks = Dotnet.Run(Repository.Root, null, "--list-sdks").Output.Split('\n');
        var line = sdks.First(l => l.StartsWith(version + " ", StringComparison.Ordinal));
        return Path.Combine(line[(line.IndexOf('[') + 1)..line.IndexOf(']')], version, "vstest.console.dll");
    }

    private static List<int> ProcessesOf(SampleRun run, string testPrefix) =>
        [.. run.Records
            .Where(r => r.Test.StartsWith(testPrefix, StringComparison.Ordinal))
            .Select(r => r.ProcessId)
            .Distinct()];
}
