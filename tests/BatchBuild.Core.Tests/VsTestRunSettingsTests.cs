using System.Globalization;
using System.Xml.Linq;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Running;

namespace BatchBuild.Core.Tests;

public sealed class VsTestRunSettingsTests
{
    private static XElement Project(string? user, VsTestOptions? options = null) =>
        XDocument.Parse(VsTestRunSettings.ForProject(user, options ?? new VsTestOptions())).Root!;

    [Test]
    public void Keeps_the_users_settings_and_drops_their_filter_loggers_and_BatchBuild_collector()
    {
        const string user = """
            <RunSettings>
              <RunConfiguration>
                <TestCaseFilter>Category=Slow</TestCaseFilter>
                <TestAdaptersPaths>/adapters;/ext/</TestAdaptersPaths>
                <MaxCpuCount>1</MaxCpuCount>
              </RunConfiguration>
              <NUnit><NumberOfTestWorkers>2</NumberOfTestWorkers></NUnit>
              <DataCollectionRunSettings><DataCollectors>
                <DataCollector friendlyName="BatchBuild" />
                <DataCollector friendlyName="XPlat code coverage" />
              </DataCollectors></DataCollectionRunSettings>
              <LoggerRunSettings><Loggers><Logger friendlyName="trx" /></Loggers></LoggerRunSettings>
            </RunSettings>
            """;

        var root = Project(user, new VsTestOptions(AdapterPaths: ["/ext/", "/batchbuild/"]));

        var run = root.Element("RunConfiguration")!;
        Assert.That(run.Element("TestCaseFilter"), Is.Null, "discovery takes the filter; a run selects by ID");
        Assert.That(run.Element("MaxCpuCount")!.Value, Is.EqualTo("1"));
        Assert.That(run.Element("TestAdaptersPaths")!.Value, Is.EqualTo("/adapters;/ext/;/batchbuild/"));
        Assert.That(root.Element("NUnit")!.Element("NumberOfTestWorkers")!.Value, Is.EqualTo("2"));
        Assert.That(
            root.Descendants("DataCollector").Select(e => (string?)e.Attribute("friendlyName")),
            Is.EqualTo(new[] { "XPlat code coverage" }));
        Assert.That(root.Element("LoggerRunSettings"), Is.Null, "the task hosts the loggers for the whole project");
        Assert.That(VsTestRunSettings.DiscoveryFilter(user, null), Is.EqualTo("Category=Slow"));
        Assert.That(
            VsTestRunSettings.DiscoveryFilter(user, "Priority=1"),
            Is.EqualTo("Priority=1"),
            "the command line wins, as in vstest");
    }

    [Test]
    public void Puts_the_command_line_into_runsettings()
    {
        var options = new VsTestOptions(
            ResultsDirectory: "/out/TestResults",
            TargetFramework: ".NETCoreApp,Version=v10.0",
            Collect: ["XPlat Code Coverage", "BatchBuild", " "],
            Blame: new BlameOptions(
                Crash: true,
                "full",
                CrashCollectAlways: false,
                Hang: true,
                HangDumpType: null,
                HangTimeout: "90s"),
            CommandLineRunSettings:
            [
                "RunConfiguration.MaxCpuCount=2",
                "NUnit.DefaultTimeout=5000",
                "TestRunParameters.Parameter(name=\"Url\", value=\"http://a/?x=1\")",
            ]);

        var root = Project(null, options);

        var run = root.Element("RunConfiguration")!;
        Assert.That(run.Element("ResultsDirectory")!.Value, Is.EqualTo("/out/TestResults"));
        Assert.That(run.Element("TargetFrameworkVersion")!.Value, Is.EqualTo(".NETCoreApp,Version=v10.0"));
        Assert.That(run.Element("MaxCpuCount")!.Value, Is.EqualTo("2"));
        Assert.That(root.Element("NUnit")!.Element("DefaultTimeout")!.Value, Is.EqualTo("5000"));
        var parameter = root.Element("TestRunParameters")!.Element("Parameter")!;
        Assert.That(
            ((string?)parameter.Attribute("name"), (string?)parameter.Attribute("value")),
            Is.EqualTo(("Url", "http://a/?x=1")));
        var collectors = root.Descendants("DataCollector").ToList();
        Assert.That(
            collectors.Select(e => (string?)e.Attribute("friendlyName")),
            Is.EqualTo(new[] { "XPlat Code Coverage", "blame" }));
        var blame = collectors[1].Element("Configuration")!;
        Assert.That((string?)blame.Element("CollectDump")!.Attribute("DumpType"), Is.EqualTo("full"));
        Assert.That(
            (string?)blame.Element("CollectDumpOnTestSessionHang")!.Attribute("TestTimeout"),
            Is.EqualTo("90000"));
    }

    [TestCase("MaxCpuCount")]
    [TestCase("RunConfiguration.=1")]
    [TestCase("Run Configuration.MaxCpuCount=1")]
    public void A_command_line_runsetting_that_is_not_path_equals_value_is_refused(string setting)
    {
        var e = Assert.Throws<FormatException>(() => VsTestRunSettings.ForProject(
            null,
            new VsTestOptions(CommandLineRunSettings: [setting])));
        Assert.That(e!.Message, Does.Contain(setting).And.Contain("RunConfiguration.Name=value"));
    }

    [Test]
    public void A_test_batch_sets_its_variables_over_the_users()
    {
        const string user =
            "<RunSettings><RunConfiguration><EnvironmentVariables>"
            + "<BATCHBUILD_BATCH_ID>stale</BATCHBUILD_BATCH_ID><DB>local</DB>"
            + "</EnvironmentVariables></RunConfiguration></RunSettings>";

        var project = VsTestRunSettings.ForProject(user, new VsTestOptions());
        var forTestBatch = TestEnvironment.Variables(BatchId.Parse("nightly-7"), 2, 5, exportApplitoolsBatchId: true);
        var root = XDocument.Parse(VsTestRunSettings.ForTestBatch(project, forTestBatch)).Root!;

        var variables = root.Element("RunConfiguration")!.Element("EnvironmentVariables")!.Elements().ToDictionary(
            e => e.Name.LocalName,
            e => e.Value);
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
    public void Only_a_run_of_a_whole_assembly_has_its_results_reported_many_at_a_time()
    {
        var project = VsTestRunSettings.ForProject(null, new VsTestOptions());

        string BatchSize(bool wholeAssembly) => XDocument
            .Parse(VsTestRunSettings.ForTestBatch(project, [], wholeAssembly)).Root!
            .Element("RunConfiguration")!.Elements("BatchSize").Single().Value;

        Assert.That(BatchSize(wholeAssembly: false), Is.EqualTo("1"));
        Assert.That(
            BatchSize(wholeAssembly: true),
            Is.EqualTo(VsTestRunSettings.WholeAssemblyBatchSize.ToString(CultureInfo.InvariantCulture)));
    }

    [Test]
    public void Loggers_come_from_the_runsettings_then_the_command_line()
    {
        const string user = """
            <RunSettings><LoggerRunSettings><Loggers>
              <Logger friendlyName="trx"><Configuration><LogFileName>all.trx</LogFileName></Configuration></Logger>
              <Logger friendlyName="html" enabled="False" />
            </Loggers></LoggerRunSettings></RunSettings>
            """;

        var loggers = VsTestRunSettings.Loggers(user, ["junit;LogFilePath=out/{assembly}.xml;MethodFormat=Class", ""]);

        Assert.That(loggers.Select(l => l.Name), Is.EqualTo(new[] { "trx", "junit" }));
        Assert.That(loggers[0].Parameters["logfilename"], Is.EqualTo("all.trx"));
        Assert.That(
            loggers[1].Parameters,
            Is.EquivalentTo(
                new Dictionary<string, string?>
                {
                    ["LogFilePath"] = "out/{assembly}.xml",
                    ["MethodFormat"] = "Class",
                }));
    }
}
