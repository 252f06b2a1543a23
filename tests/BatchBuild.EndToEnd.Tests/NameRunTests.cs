using System.Globalization;
using System.Xml.Linq;

namespace BatchBuild.EndToEnd.Tests;

/// <summary>
/// Real <c>dotnet test</c> runs of the Names fixture (samples/Names): NUnit, MSTest and xUnit
/// cases whose names hold quotes, line breaks, tabs, separators, a backslash, letters beyond
/// ASCII, string arrays, names set by hand, a name shared by two cases and a 300-character
/// argument. Each case records itself; under every strategy each must run exactly as often as
/// under a plain run, and none may go without a result.
/// </summary>
public sealed class NameRunTests
{
    private const string Names = "Names/Names.slnx";
    private static readonly string[] Projects = ["Names.NUnit", "Names.MSTest", "Names.XUnit"];
    private static string[] _plain = [];

    [OneTimeSetUp]
    public void BuildAndRunPlain()
    {
        var build = Dotnet.Run(LocalPackage.Samples, SampleRun.PackageEnvironment, "build", Names, "-v:quiet");
        Assert.That(build.ExitCode, Is.Zero, build.ToString());

        var plain = SampleRun.Start(Names, ["-p:BatchBuildEnabled=false"]);
        Assert.That(plain.Command.ExitCode, Is.Zero, plain.Command.ToString());
        _plain = [.. plain.Records.Select(r => r.Test).Order(StringComparer.Ordinal)];
        Assert.That(_plain, Has.Length.EqualTo(72), "27 NUnit cases, 22 MSTest rows and 23 xUnit theory rows");
    }

    [TestCase("isolate")]
    [TestCase("fixed-size", "-p:BatchBuildSize=4")]
    [TestCase("fixed-size", "-p:BatchBuildSize=1000", "-p:BatchBuildDurationMillis=1")]
    [TestCase("class-name")]
    public void Every_case_runs_exactly_as_often_as_in_a_plain_run(string strategy, params string[] settings)
    {
        var run = SampleRun.Start(Names, [$"-p:BatchBuildStrategy={strategy}", .. settings]);

        Assert.That(run.Command.ExitCode, Is.Zero, run.Command.ToString());
        Assert.That(run.Command.Output, Does.Not.Contain("BB3003").And.Not.Contain("BB3005"));
        Assert.That(
            run.Records.Select(r => r.Test).Order(StringComparer.Ordinal),
            Is.EqualTo(_plain),
            run.Command.ToString());
        Assert.That(run.Records.Select(r => r.BatchId).Distinct().Count(), Is.EqualTo(1));
        Assert.That(
            run.Command.Output,
            Does.Contain("BatchBuild Names.XUnit: 23 passed, 0 failed, 0 skipped, 0 not run"),
            "each theory row is a test of its own");
        Assert.That(
            run.Command.Output,
            Does.Contain("BatchBuild Names.NUnit: 26 passed"),
            "the two cases that share a name are one test");
    }

    // A test batch that holds every test of its assembly runs the assembly as a plain run does,
    // with no list of test cases for the adapter: the results must still be exactly those of the
    // plan, and the run must know when its first result came.
    [Test]
    public void A_test_batch_of_the_whole_assembly_runs_every_case_and_times_its_first_result()
    {
        var run = SampleRun.Start(
            Names,
            ["-p:BatchBuildStrategy=fixed-size", "-p:BatchBuildSize=1000", "-v:n"]);

        Assert.That(run.Command.ExitCode, Is.Zero, run.Command.ToString());
        Assert.That(
            run.Records.Select(r => r.Test).Order(StringComparer.Ordinal),
            Is.EqualTo(_plain),
            run.Command.ToString());
        Assert.That(
            run.Command.Output,
            Does.Contain("BatchBuild Names.XUnit: 23 passed, 0 failed, 0 skipped, 0 not run"));
        Assert.That(
            run.Command.Output,
            Does.Contain("BatchBuild Names.NUnit: 26 passed, 0 failed, 0 skipped, 0 not run"));
        foreach (var project in Projects)
        {
            Assert.That(
                run.Command.Output,
                Does.Match($@"BatchBuild {project}: test batch 1 took \d+ ms, its first test after \d+ ms"),
                $"{project}: one test batch, and the time to its first result");
        }
    }

    [Test]
    public void Theory_rows_are_recorded_one_by_one()
    {
        var run = SampleRun.Start(Names, ["-p:BatchBuildStrategy=class-name"]);

        Assert.That(run.Command.ExitCode, Is.Zero, run.Command.ToString());
        var xunit = run.StoredResults().Where(r => r.Assembly == "Names.XUnit").ToList();
        Assert.That(xunit, Has.Count.EqualTo(23));
        Assert.That(xunit.Select(r => r.FullName).Distinct().Count(), Is.EqualTo(23));
        Assert.That(
            xunit.Select(r => r.FullName),
            Has.Some.StartsWith("Names.XUnitNames.Inline [").And.Some.Contains("日本語"));
    }

    [TestCase("trx", "*.trx")]
    [TestCase("trx;LogFileName=report.trx", "report.trx")]
    public void A_trx_report_per_project_holds_every_case(string logger, string file)
    {
        foreach (var project in Projects)
        {
            var results = Path.Combine(LocalPackage.Samples, "Names", project, "TestResults");
            if (Directory.Exists(results))
            {
                Directory.Delete(results, recursive: true);
            }
        }

        var run = SampleRun.Start(Names, ["-p:BatchBuildStrategy=class-name", "--logger", logger]);

        Assert.That(run.Command.ExitCode, Is.Zero, run.Command.ToString());
        foreach (var project in Projects)
        {
            var reports = Directory.GetFiles(Path.Combine(LocalPackage.Samples, "Names", project, "TestResults"), file);
            Assert.That(reports, Has.Length.EqualTo(1), $"{project}: one report, not one per test batch");
            var trx = XDocument.Load(reports[0]);
            XNamespace ns = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";
            var framework = project.Split('.')[1].ToLowerInvariant();
            var cases = _plain.Count(test => test.StartsWith(framework + " ", StringComparison.Ordinal));
            Assert.That(
                trx.Descendants(ns + "UnitTestResult").Count(),
                Is.EqualTo(cases),
                $"{project}: every case once");
            Assert.That(
                (string?)trx.Descendants(ns + "Counters").Single().Attribute("passed"),
                Is.EqualTo(cases.ToString(CultureInfo.InvariantCulture)));
        }
    }
}
