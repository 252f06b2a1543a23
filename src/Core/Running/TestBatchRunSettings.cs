using System.Globalization;
using System.Xml.Linq;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Planning;

namespace BatchBuild.Core.Running;

/// <summary>What the BatchBuild collector is told for one test batch.</summary>
/// <param name="BatchId">The batch.</param>
/// <param name="TestBatchCount">How many test batches the project was planned into.</param>
/// <param name="StorePath">The embedded store.</param>
/// <param name="ResultFile">Where the collector writes the test batch's results.</param>
/// <param name="ExportApplitoolsBatchId">Whether tests also get <c>APPLITOOLS_BATCH_ID</c>.</param>
/// <param name="CollectorDirectory">The folder that holds <c>BatchBuild.Collector.dll</c>.</param>
public sealed record CollectorSettings(
    BatchId BatchId,
    int TestBatchCount,
    string StorePath,
    string ResultFile,
    bool ExportApplitoolsBatchId,
    string CollectorDirectory);

/// <summary>
/// Writes the runsettings of one test batch's run: the user's runsettings, with the selection of
/// exactly the test batch's tests and the BatchBuild collector enabled. Selecting in runsettings
/// keeps the command line short however large the test batch.
/// </summary>
public static class TestBatchRunSettings
{
    /// <summary>The runsettings document for <paramref name="batch"/>.</summary>
    /// <param name="userRunSettings">The user's runsettings XML, or null.</param>
    /// <param name="batch">The test batch.</param>
    /// <param name="selector">How to select its tests.</param>
    /// <param name="escape">The test platform's escaping of TestCaseFilter values.</param>
    /// <param name="collector">The collector's configuration.</param>
    public static string Create(string? userRunSettings, TestBatch batch, TestSelector selector, Func<string, string> escape, CollectorSettings collector)
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
        runConfiguration.Add(new XElement("TestAdaptersPaths", string.Join(';', paths.Append(collector.CollectorDirectory).Distinct(StringComparer.Ordinal))));

        var collectors = Child(Child(root, "DataCollectionRunSettings"), "DataCollectors");
        collectors.Elements("DataCollector")
            .Where(e => string.Equals((string?)e.Attribute("friendlyName"), "BatchBuild", StringComparison.OrdinalIgnoreCase))
            .Remove();
        collectors.Add(new XElement(
            "DataCollector",
            new XAttribute("friendlyName", "BatchBuild"),
            new XElement(
                "Configuration",
                new XElement("BatchId", collector.BatchId.Value),
                new XElement("TestBatch", batch.Index.ToString(CultureInfo.InvariantCulture)),
                new XElement("TestBatchCount", collector.TestBatchCount.ToString(CultureInfo.InvariantCulture)),
                new XElement("Store", collector.StorePath),
                new XElement("ResultFile", collector.ResultFile),
                new XElement("ExportApplitoolsBatchId", collector.ExportApplitoolsBatchId ? "true" : "false"))));

        return document.ToString();
    }

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
