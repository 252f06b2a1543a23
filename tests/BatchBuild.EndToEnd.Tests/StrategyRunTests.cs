using System.Globalization;

namespace BatchBuild.EndToEnd.Tests;

/// <summary>
/// Real <c>dotnet test</c> runs of the NUnit sample under each batching strategy: every test runs
/// exactly once, in the process its test batch was planned into, and sees the batch ID.
/// </summary>
public sealed class StrategyRunTests
{
    private const string NUnit = "Samples.NUnit/Samples.NUnit.csproj";
    private const int NUnitTests = 16;

    [Test]
    public void Isolate_runs_every_test_in_a_fresh_test_host()
    {
        var run = SampleRun.Start(NUnit, []);

        Assert.That(run.Command.ExitCode, Is.Zero, run.Command.ToString());
        AssertEachTestRanOnce(run);
        Assert.That(run.TestsByProcess, Has.Count.EqualTo(NUnitTests));
        Assert.That(run.Records.Select(r => r.TestBatch).Distinct().Count(), Is.EqualTo(NUnitTests));
        Assert.That(
            run.Records.Select(r => r.TestBatchCount),
            Is.All.EqualTo(NUnitTests.ToString(CultureInfo.InvariantCulture)));
        Assert.That(run.Command.Output, Does.Contain($"BatchBuild Samples.NUnit: {NUnitTests} passed, 0 failed"));
        Assert.That(run.Command.Output, Does.Contain($"[{NUnitTests}/{NUnitTests}] Samples.NUnit isolate 1 test"));
    }

    [Test]
    public void Class_name_runs_each_class_in_one_test_host()
    {
        var run = SampleRun.Start(NUnit, ["-p:BatchBuildStrategy=class-name"]);

        Assert.That(run.Command.ExitCode, Is.Zero, run.Command.ToString());
        AssertEachTestRanOnce(run);
        var classes = run.TestsByProcess.Select(tests => tests.Select(ClassOf).Distinct().Single()).ToList();
        Assert.That(
            classes,
            Is.EquivalentTo(new[]
            {
                "Samples.NUnit.CheckoutTests",
                "Samples.NUnit.InventoryTests",
                "Samples.NUnit.PricingTests",
            }));
    }

    [Test]
    public void Fixed_size_fills_test_batches_up_to_the_size()
    {
        var run = SampleRun.Start(NUnit, ["-p:BatchBuildStrategy=fixed-size", "-p:BatchBuildSize=5"]);

        Assert.That(run.Command.ExitCode, Is.Zero, run.Command.ToString());
        AssertEachTestRanOnce(run);
        Assert.That(run.TestsByProcess.Select(tests => tests.Length).Order(), Is.EqualTo([1, 5, 5, 5]));
    }

    [Test]
    public void Runsettings_section_configures_the_strategy()
    {
        var settings = Path.Combine(LocalPackage.Scratch, "fixed-size-8.runsettings");
        File.WriteAllText(settings, """
            <RunSettings>
              <BatchBuild>
                <BatchingStrategy>
                  <Type>fixed-size</Type>
                  <Size>8</Size>
                </BatchingStrategy>
              </BatchBuild>
            </RunSettings>
            """);

        var run = SampleRun.Start(NUnit, ["--settings", settings]);

        Assert.That(run.Command.ExitCode, Is.Zero, run.Command.ToString());
        AssertEachTestRanOnce(run);
        Assert.That(run.TestsByProcess.Select(tests => tests.Length), Is.EqualTo([8, 8]));
    }

    [Test]
    public void Duration_cap_packs_test_batches_by_recorded_durations()
    {
        // The first run records every test's duration; the second plans from them.
        var first = SampleRun.Start(NUnit, []);
        Assert.That(first.Command.ExitCode, Is.Zero, first.Command.ToString());
        var recorded = first.StoredResults().ToDictionary(r => r.FullName, r => r.DurationMillis);
        Assert.That(recorded, Has.Count.EqualTo(NUnitTests));

        const int cap = 1000;
        var second = SampleRun.Start(
            NUnit,
            [
                "-p:BatchBuildStrategy=fixed-size",
                $"-p:BatchBuildSize={NUnitTests}",
                $"-p:BatchBuildDurationMillis={cap}"],
            store: first.Store);

        Assert.That(second.Command.ExitCode, Is.Zero, second.Command.ToString());
        AssertEachTestRanOnce(second);
        var groups = second.TestsByProcess;
        Assert.That(
            groups,
            Has.Some.EqualTo(new[] { "Samples.NUnit.CheckoutTests.Full_checkout_with_payment_provider" }),
            "a test longer than the cap runs alone");
        Assert.That(groups.Count, Is.GreaterThan(2).And.LessThan(NUnitTests));
        foreach (var group in groups.Where(g => g.Length > 1))
        {
            Assert.That(group.Sum(test => recorded[test]), Is.LessThanOrEqualTo(cap), string.Join(", ", group));
        }

        Assert.That(second.StoredResults(), Has.Count.EqualTo(2 * NUnitTests), "both runs are in the store");
    }

    [Test]
    public void Filter_narrows_the_planned_tests()
    {
        var run = SampleRun.Start(NUnit, ["--filter", "FullyQualifiedName~InventoryTests"]);

        Assert.That(run.Command.ExitCode, Is.Zero, run.Command.ToString());
        Assert.That(run.Records, Has.Count.EqualTo(4), run.Command.ToString());
        Assert.That(run.Records.Select(r => ClassOf(r.Test)), Is.All.EqualTo("Samples.NUnit.InventoryTests"));
        Assert.That(run.TestsByProcess, Has.Count.EqualTo(4));
    }

    private static void AssertEachTestRanOnce(SampleRun run)
    {
        Assert.That(run.Records, Has.Count.EqualTo(NUnitTests), run.Command.ToString());
        Assert.That(run.Records.Select(r => r.Test), Is.Unique);
        var batchIds = run.Records.Select(r => r.BatchId).Distinct().ToList();
        Assert.That(batchIds, Has.Count.EqualTo(1));
        Assert.That(batchIds[0], Is.Not.Empty);
        var stored = run.StoredResults().Where(r => r.BatchId == batchIds[0]).ToList();
        Assert.That(
            stored.Select(r => r.FullName),
            Is.EquivalentTo(run.Records.Select(r => r.Test)),
            "the store holds every test under the batch ID the tests saw");
        Assert.That(stored.Select(r => r.Assembly), Is.All.EqualTo("Samples.NUnit"));
    }

    private static string ClassOf(string test)
    {
        var name = test.Split('(')[0];
        return name[..name.LastIndexOf('.')];
    }
}
