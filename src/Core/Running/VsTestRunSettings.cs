using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace BatchBuild.Core.Running;

/// <summary>
/// Writes the runsettings BatchBuild hands to vstest: once per project (<see cref="ForProject"/>),
/// with each test's start and result reported at once (<c>RunConfiguration/BatchSize</c> 1),
/// the user's runsettings with everything passed on the command line; then per test batch
/// (<see cref="ForTestBatch"/>), with the batch's variables for the test host.
/// </summary>
public static partial class VsTestRunSettings
{
    /// <summary>
    /// The project's runsettings: <paramref name="userRunSettings"/> (or an empty document) with
    /// <paramref name="options"/> applied, without a test case filter — discovery takes that (see
    /// <see cref="DiscoveryFilter"/>), and a run selects its test cases by ID; and without
    /// loggers — the task hosts them for the whole project (see <see cref="Loggers"/>). A
    /// BatchBuild collector the user enabled is left out: BatchBuild records every planned run itself.
    /// </summary>
    /// <exception cref="FormatException">A command-line runsetting is not <c>path=value</c>.</exception>
    public static string ForProject(string? userRunSettings, VsTestOptions options)
    {
        var document = userRunSettings is null
            ? new XDocument(new XElement("RunSettings"))
            : XDocument.Parse(userRunSettings);
        var root = document.Root ?? throw new InvalidOperationException("A runsettings document needs a root element.");

        foreach (var setting in options.CommandLineRunSettings ?? [])
        {
            ApplyCommandLine(root, setting);
        }

        var runConfiguration = Child(root, "RunConfiguration");
        runConfiguration.Element("TestCaseFilter")?.Remove();

        // The test host reports each test as it starts and as it ends, not ten at a time: when
        // it dies or hangs, BatchBuild knows which test was running.
        Set(runConfiguration, "BatchSize", "1");
        root.Element("LoggerRunSettings")?.Remove();
        if (!string.IsNullOrWhiteSpace(options.ResultsDirectory))
        {
            Set(runConfiguration, "ResultsDirectory", options.ResultsDirectory);
        }

        if (!string.IsNullOrWhiteSpace(options.TargetFramework))
        {
            Set(runConfiguration, "TargetFrameworkVersion", options.TargetFramework);
        }

        var adapterPaths = runConfiguration.Element("TestAdaptersPaths");
        var paths = (adapterPaths?.Value ?? string.Empty).Split(
            ';',
            StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Concat(options.AdapterPaths ?? [])
            .Distinct(StringComparer.Ordinal)
            .ToList();
        adapterPaths?.Remove();
        if (paths.Count > 0)
        {
            runConfiguration.Add(new XElement("TestAdaptersPaths", string.Join(';', paths)));
        }

        root.Element("DataCollectionRunSettings")?.Element("DataCollectors")?.Elements("DataCollector")
            .Where(collector => Named(collector, "BatchBuild"))
            .Remove();
        var collect = (options.Collect ?? [])
            .Select(name => name.Trim())
            .Where(name => name.Length > 0 && !name.Equals("BatchBuild", StringComparison.OrdinalIgnoreCase));
        foreach (var name in collect)
        {
            Enable(root, name);
        }

        if (options.Blame is { Enabled: true } blame)
        {
            var configuration = Child(Enable(root, "blame"), "Configuration");
            if (blame.Crash)
            {
                configuration.Element("CollectDump")?.Remove();
                configuration.Add(new XElement(
                    "CollectDump",
                    new XAttribute("DumpType", blame.CrashDumpType ?? "mini"),
                    new XAttribute("CollectAlways", blame.CrashCollectAlways ? "true" : "false")));
            }

            if (blame.Hang)
            {
                configuration.Element("CollectDumpOnTestSessionHang")?.Remove();
                configuration.Add(new XElement(
                    "CollectDumpOnTestSessionHang",
                    new XAttribute(
                        "TestTimeout",
                        Millis(blame.HangTimeout ?? "1h").ToString(CultureInfo.InvariantCulture)),
                    new XAttribute("HangDumpType", blame.HangDumpType ?? "full")));
            }
        }

        return document.ToString();
    }

    /// <summary>
    /// The loggers of a run: those of the runsettings' <c>LoggerRunSettings</c> that are enabled,
    /// with their configuration as parameters, then <paramref name="commandLine"/> (<c>--logger</c>).
    /// </summary>
    public static IReadOnlyList<LoggerRequest> Loggers(string? userRunSettings, IEnumerable<string> commandLine)
    {
        var configured = userRunSettings is null
            ? []
            : XDocument.Parse(userRunSettings).Root?
                .Element("LoggerRunSettings")?
                .Element("Loggers")?
                .Elements("Logger")
                .Where(logger => !string.Equals(
                    (string?)logger.Attribute("enabled"),
                    "false",
                    StringComparison.OrdinalIgnoreCase))
                .Select(logger => new LoggerRequest(
                    (string?)logger.Attribute("friendlyName") ?? (string?)logger.Attribute("uri") ?? string.Empty,
                    (logger.Element("Configuration")?.Elements() ?? []).ToDictionary(
                        e => e.Name.LocalName,
                        e => (string?)e.Value,
                        StringComparer.OrdinalIgnoreCase)))
                .Where(logger => logger.Name.Length > 0) ?? [];
        return
        [
            .. configured,
            .. commandLine.Where(value => !string.IsNullOrWhiteSpace(value)).Select(LoggerRequest.Parse),
        ];
    }

    /// <summary>
    /// The filter discovery applies: the one given on the command line (<c>--filter</c>), else the
    /// runsettings' <c>RunConfiguration/TestCaseFilter</c>, else none.
    /// </summary>
    public static string? DiscoveryFilter(string? userRunSettings, string? commandLineFilter)
    {
        if (!string.IsNullOrWhiteSpace(commandLineFilter))
        {
            return commandLineFilter;
        }

        var filter = userRunSettings is null
            ? null
            : XDocument.Parse(userRunSettings).Root?.Element("RunConfiguration")?.Element("TestCaseFilter")?.Value;
        return string.IsNullOrWhiteSpace(filter) ? null : filter.Trim();
    }

    /// <summary>
    /// How many test results and starts the test host of a whole assembly's run reports at once.
    /// </summary>
    public const int WholeAssemblyBatchSize = 100;

    /// <summary>
    /// The runsettings of one test batch's run: <paramref name="projectRunSettings"/> with
    /// <paramref name="variables"/> for its test host. A run of a whole assembly
    /// (<paramref name="wholeAssembly"/>) has its test host report
    /// <see cref="WholeAssemblyBatchSize"/> results at a time, as a plain run reports them in
    /// tens: one report per test costs thousands of messages, each passed on twice.
    /// </summary>
    public static string ForTestBatch(
        string projectRunSettings,
        IEnumerable<KeyValuePair<string, string>> variables,
        bool wholeAssembly = false)
    {
        var document = XDocument.Parse(projectRunSettings);
        var runConfiguration = Child(document.Root!, "RunConfiguration");

        // Knowing the running test at once matters when a test batch is cut short; a cut short
        // run of a whole assembly runs its unreported tests again in test batches that report
        // each test, and vstest's report timer still sends the running tests between reports.
        if (wholeAssembly)
        {
            Set(runConfiguration, "BatchSize", WholeAssemblyBatchSize.ToString(CultureInfo.InvariantCulture));
        }

        var environment = Child(runConfiguration, "EnvironmentVariables");
        foreach (var (name, value) in variables)
        {
            environment.Element(name)?.Remove();
            environment.Add(new XElement(name, value));
        }

        return document.ToString();
    }

    // vstest's command-line runsettings: `A.B.C=value` sets element C under B under A;
    // `TestRunParameters.Parameter(name="n", value="v")` adds a test run parameter.
    private static void ApplyCommandLine(XElement root, string setting)
    {
        if (TestRunParameter().Match(setting) is { Success: true } parameter)
        {
            var parameters = Child(root, "TestRunParameters");
            var name = parameter.Groups["name"].Value;
            parameters.Elements("Parameter").Where(e => (string?)e.Attribute("name") == name).Remove();
            parameters.Add(new XElement(
                "Parameter",
                new XAttribute("name", name),
                new XAttribute("value", parameter.Groups["value"].Value)));
            return;
        }

        var equals = setting.IndexOf('=');
        var path = equals > 0 ? setting[..equals].Trim().Split('.') : [];
        if (path.Length == 0 || path.Any(part => part.Length == 0 || !IsXmlName(part)))
        {
            throw new FormatException(
                $"'{setting}' is not a runsetting: write it as RunConfiguration.Name=value after --");
        }

        var element = root;
        foreach (var part in path[..^1])
        {
            element = Child(element, part);
        }

        Set(element, path[^1], setting[(equals + 1)..]);
    }

    private static bool IsXmlName(string name)
    {
        try
        {
            System.Xml.XmlConvert.VerifyName(name);
            return true;
        }
        catch (System.Xml.XmlException)
        {
            return false;
        }
    }

    [GeneratedRegex(
        """^\s*TestRunParameters\.Parameter\(\s*name\s*=\s*"(?<name>[^"]*)"\s*,"""
        + """\s*value\s*=\s*"(?<value>[^"]*)"\s*\)\s*$""")]
    private static partial Regex TestRunParameter();

    // vstest's time spans: a number with an optional unit, milliseconds when none.
    /// <summary>
    /// A vstest time span such as <c>90s</c>, <c>5min</c> or <c>5000ms</c> (a bare number is milliseconds), in
    /// milliseconds.
    /// </summary>
    /// <exception cref="FormatException">It is not one.</exception>
    public static long Millis(string span)
    {
        var match = Regex.Match(span.Trim(), @"^(?<n>\d+(\.\d+)?)\s*(?<unit>[a-zA-Z]*)$");
        if (!match.Success)
        {
            throw new FormatException($"'{span}' is not a time span: write it as 90s, 5min or 1h");
        }

        var n = double.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
        var factor = match.Groups["unit"].Value.ToLowerInvariant() switch
        {
            "" or "ms" or "mil" or "millisecond" or "milliseconds" => 1,
            "s" or "sec" or "second" or "seconds" => 1_000,
            "m" or "min" or "minute" or "minutes" => 60_000,
            "h" or "hour" or "hours" => 3_600_000,
            "d" or "day" or "days" => 86_400_000,
            var unit => throw new FormatException($"'{span}' has an unknown unit '{unit}': use ms, s, min, h or d"),
        };
        return (long)(n * factor);
    }

    private static XElement Enable(XElement root, string friendlyName)
    {
        var collectors = Child(Child(root, "DataCollectionRunSettings"), "DataCollectors");
        var collector = collectors.Elements("DataCollector").FirstOrDefault(e => Named(e, friendlyName));
        if (collector is null)
        {
            collector = new XElement("DataCollector", new XAttribute("friendlyName", friendlyName));
            collectors.Add(collector);
        }

        collector.SetAttributeValue("enabled", "True");
        return collector;
    }

    private static bool Named(XElement extension, string friendlyName) =>
        string.Equals((string?)extension.Attribute("friendlyName"), friendlyName, StringComparison.OrdinalIgnoreCase);

    private static void Set(XElement parent, string name, string value)
    {
        parent.Element(name)?.Remove();
        parent.Add(new XElement(name, value));
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
