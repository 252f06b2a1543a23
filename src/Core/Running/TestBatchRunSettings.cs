using System.Xml.Linq;
using BatchBuild.Core.Planning;

namespace BatchBuild.Core.Running;

/// <summary>
/// Writes the runsettings of one test batch's run: the user's runsettings, with the selection of
/// exactly the test batch's tests, the batch's variables for the test host and the BatchBuild
/// logger. Selecting in runsettings keeps the command line short however large the test batch;
/// the variables and the logger cost no process beyond vstest.console and the test host.
/// </summary>
public static class TestBatchRunSettings
{
    /// <summary>The runsettings document for <paramref name="batch"/>.</summary>
    /// <param name="userRunSettings">The user's runsettings XML, or null.</param>
    /// <param name="batch">The test batch.</param>
    /// <param name="selector">How to select its tests.</param>
    /// <param name="escape">The test platform's escaping of TestCaseFilter values.</param>
    /// <param name="recorder">What the logger records and where.</param>
    /// <param name="extensionDirectory">The folder of <c>BatchBuild.TestLogger.dll</c>.</param>
    /// <param name="closeRequest">
    /// The close request file of the project, on the one test batch that carries it to the end of
    /// the invocation through the <c>BatchBuildSession</c> collector; null on the others.
    /// </param>
    public static string Create(
        string? userRunSettings,
        TestBatch batch,
        TestSelector selector,
        Func<string, string> escape,
        RecorderSettings recorder,
        string extensionDirectory,
        string? closeRequest = null)
    {
        var document = userRunSettings is null ? new XDocument(new XElement("RunSettings")) : XDocument.Parse(userRunSettings);
        var root = document.Root ?? throw new InvalidOperationException("A runsettings document needs a root element.");

        // The user's filter has already narrowed the planned tests; the run selects by name only.
        var runConfiguration = Child(root, "RunConfiguration");
        runConfiguration.Element("TestCaseFilter")?.Remove();
        Child(root, "NUnit").Element("Where")?.Remove();
        if (selector == TestSelector.TestCaseFilter)
        {
            runConfiguration.Add(new XElement("TestCaseFilter", TestSelection.TestCaseFilter(batch.Tests, escape)));
        }
        else
        {
            Child(root, "NUnit").Add(new XElement("Where", TestSelection.NUnitWhere(batch.Tests)));
        }

        var adapterPaths = runConfiguration.Element("TestAdaptersPaths");
        var paths = (adapterPaths?.Value ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        adapterPaths?.Remove();
        runConfiguration.Add(new XElement("TestAdaptersPaths", string.Join(';', paths.Append(extensionDirectory).Distinct(StringComparer.Ordinal))));

        var variables = Child(runConfiguration, "EnvironmentVariables");
        foreach (var (name, value) in recorder.EnvironmentVariables)
        {
            variables.Element(name)?.Remove();
            variables.Add(new XElement(name, value));
        }

        // The logger records this test batch; a BatchBuild collector the user enabled would record it twice.
        root.Element("DataCollectionRunSettings")?.Element("DataCollectors")?.Elements("DataCollector")
            .Where(IsBatchBuild)
            .Remove();
        if (closeRequest is not null)
        {
            Child(Child(root, "DataCollectionRunSettings"), "DataCollectors").Add(new XElement(
                "DataCollector",
                new XAttribute("friendlyName", SessionCollector),
                new XAttribute("enabled", "True"),
                new XElement("Configuration", new XElement("Request", closeRequest))));
        }

        var loggers = Child(Child(root, "LoggerRunSettings"), "Loggers");
        loggers.Elements("Logger").Where(IsBatchBuild).Remove();
        loggers.Add(new XElement(
            "Logger",
            new XAttribute("friendlyName", "BatchBuild"),
            new XAttribute("enabled", "True"),
            new XElement("Configuration", recorder.ToParameters().Select(p => new XElement(p.Key, p.Value)))));

        return document.ToString();
    }

    /// <summary>The friendly name of the collector that carries a project's close request.</summary>
    public const string SessionCollector = "BatchBuildSession";

    private static bool IsBatchBuild(XElement extension) =>
        string.Equals((string?)extension.Attribute("friendlyName"), "BatchBuild", StringComparison.OrdinalIgnoreCase);

    private static XElement Child(XElement parent, string name)
    {
        var child = parent.Element(name);
        if (child is null)
        {
            child = new XElement(name);
            parent.Add(child);
        }

        return child;
    }
}
