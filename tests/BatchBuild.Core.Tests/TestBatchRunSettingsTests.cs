using System.Xml.Linq;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Planning;
using BatchBuild.Core.Running;

namespace BatchBuild.Core.Tests;

public sealed class TestBatchRunSettingsTests
{
    private static readonly RecorderSettings Recorder =
        new(BatchId.Parse("nightly-7"), 2, 5, "/stores/batchbuild.db", "/work/test-batch-2.json", ExportApplitoolsBatchId: true);

    private static TestBatch Batch(params string[] names) =>
        new(2, Suite.Assembly, SelectableTest.From(Suite.Discovered(names)), 100, "fixed-size");

    private static XElement Create(string? user, TestSelector selector, params string[] names) =>
        XDocument.Parse(TestBatchRunSettings.Create(user, Batch(names), selector, value => value.Replace("(", "\\("), Recorder, "/ext/")).Root!;

    [Test]
    public void Selects_exactly_the_test_batch_by_TestCaseFilter()
    {
        var root = Create(null, TestSelector.TestCaseFilter, "A.One", "A.Two(1)");

        Assert.That(root.Element("RunConfiguration")!.Element("TestCaseFilter")!.Value,
            Is.EqualTo("FullyQualifiedName=A.One|FullyQualifiedName=A.Two\\(1)"));
        Assert.That(root.Element("NUnit")?.Element("Where"), Is.Null);
    }

    [Test]
    public void Selects_NUnit_tests_with_a_where_clause_that_escapes_quotes_and_backslashes()
    {
        var root = Create(null, TestSelector.NUnitWhere, "A.Label(\"a \\ b\")", "A.One");

        Assert.That(root.Element("NUnit")!.Element("Where")!.Value,
            Is.EqualTo("test == \"A.Label(\\\"a \\\\ b\\\")\" || test == \"A.One\""));
        Assert.That(root.Element("RunConfiguration")!.Element("TestCaseFilter"), Is.Null);
    }

    [Test]
    public void Replaces_the_users_filters_and_keeps_the_rest_of_their_settings()
    {
        const string user = """
            <RunSettings>
              <RunConfiguration>
                <TestCaseFilter>Category=Slow</TestCaseFilter>
                <TestAdaptersPaths>/adapters;/ext/</TestAdaptersPaths>
                <EnvironmentVariables><BATCHBUILD_BATCH_ID>stale</BATCHBUILD_BATCH_ID><DB>local</DB></EnvironmentVariables>
                <MaxCpuCount>1</MaxCpuCount>
              </RunConfiguration>
              <NUnit><Where>cat == Slow</Where><NumberOfTestWorkers>2</NumberOfTestWorkers></NUnit>
            </RunSettings>
            """;

        var root = Create(user, TestSelector.NUnitWhere, "A.One");

        var run = root.Element("RunConfiguration")!;
        Assert.That(run.Element("TestCaseFilter"), Is.Null);
        Assert.That(run.Element("MaxCpuCount")!.Value, Is.EqualTo("1"));
        Assert.That(run.Element("TestAdaptersPaths")!.Value, Is.EqualTo("/adapters;/ext/"));
        Assert.That(root.Element("NUnit")!.Elements("Where").Select(e => e.Value), Is.EqualTo(new[] { "test == \"A.One\"" }));
        Assert.That(root.Element("NUnit")!.Element("NumberOfTestWorkers")!.Value, Is.EqualTo("2"));
        var variables = run.Element("EnvironmentVariables")!.Elements().ToDictionary(e => e.Name.LocalName, e => e.Value);
        Assert.That(variables, Is.EquivalentTo(new Dictionary<string, string>
        {
            ["DB"] = "local",
            ["BATCHBUILD_BATCH_ID"] = "nightly-7",
            ["BATCHBUILD_TEST_BATCH"] = "2",
            ["BATCHBUILD_TEST_BATCH_COUNT"] = "5",
            ["APPLITOOLS_BATCH_ID"] = "nightly-7",
        }));
    }

    [Test]
    public void Records_through_the_logger_and_drops_a_BatchBuild_collector_the_user_enabled()
    {
        const string user = """
            <RunSettings>
              <DataCollectionRunSettings><DataCollectors>
                <DataCollector friendlyName="BatchBuild" />
                <DataCollector friendlyName="XPlat code coverage" />
              </DataCollectors></DataCollectionRunSettings>
              <LoggerRunSettings><Loggers><Logger friendlyName="trx" /></Loggers></LoggerRunSettings>
            </RunSettings>
            """;

        var root = Create(user, TestSelector.TestCaseFilter, "A.One");

        var collectors = root.Descendants("DataCollector").Select(e => (string?)e.Attribute("friendlyName"));
        Assert.That(collectors, Is.EqualTo(new[] { "XPlat code coverage" }));
        var loggers = root.Element("LoggerRunSettings")!.Element("Loggers")!.Elements("Logger").ToList();
        Assert.That(loggers.Select(e => (string?)e.Attribute("friendlyName")), Is.EqualTo(new[] { "trx", "BatchBuild" }));
        var configuration = loggers[1].Element("Configuration")!.Elements().ToDictionary(e => e.Name.LocalName, e => e.Value);
        var read = RecorderSettings.FromParameters(configuration!, out var problem);
        Assert.That(problem, Is.Null);
        Assert.That(read, Is.EqualTo(Recorder with { ExportApplitoolsBatchId = false }));
    }

    [Test]
    public void Recorder_settings_name_what_is_missing()
    {
        var parameters = Recorder.ToParameters().Where(p => p.Key != "TestBatch").ToDictionary(p => p.Key, p => (string?)p.Value);

        Assert.That(RecorderSettings.FromParameters(parameters, out var problem), Is.Null);
        Assert.That(problem, Does.StartWith("TestBatch:"));

        parameters["TestBatch"] = "2";
        parameters["Store"] = "";
        Assert.That(RecorderSettings.FromParameters(parameters, out problem)!.StorePath, Is.Null, "no store: the reader of the results file records them");

        parameters["BatchId"] = "two\u0001words";
        Assert.That(RecorderSettings.FromParameters(parameters, out problem), Is.Null);
        Assert.That(problem, Does.StartWith("BatchId:"));
    }

    [Test]
    public void Listing_keeps_each_named_test_once_in_listed_order()
    {
        var listed = TestListing.Parse(Suite.Assembly, ["B.Two", "", "A.One\r", "B.Two", "  "]);

        Assert.That(listed.Select(t => t.FullyQualifiedName), Is.EqualTo(new[] { "B.Two", "A.One" }));
        Assert.That(listed.Select(t => t.Source), Is.All.EqualTo(Suite.Assembly));
    }
}
