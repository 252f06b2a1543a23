using System.Xml;
using System.Xml.Linq;

namespace BatchBuild.Core.Configuration;

/// <summary>
/// The values one configuration source gives — a runsettings file, MSBuild properties or
/// environment variables — and the problems met while reading them. The caller reads files and
/// the environment; a layer only interprets text.
/// </summary>
public sealed class SettingsLayer
{
    /// <summary>The root element of BatchBuild's runsettings section.</summary>
    public const string RunSettingsElement = "BatchBuild";

    private SettingsLayer(IReadOnlyList<SettingValue> values, IReadOnlyList<Diagnostic> problems)
    {
        Values = values;
        Problems = problems;
    }

    /// <summary>The environment variables that settings are read from.</summary>
    public static IReadOnlyList<string> EnvironmentVariableNames { get; } =
        [.. SettingDefinitions.All.Select(d => d.Variable).OfType<string>()];

    internal IReadOnlyList<SettingValue> Values { get; }

    internal IReadOnlyList<Diagnostic> Problems { get; }

    /// <summary>
    /// The <c>&lt;BatchBuild&gt;</c> section of a runsettings document read from <paramref name="file"/>.
    /// </summary>
    public static SettingsLayer FromRunSettings(string xml, string file)
    {
        XDocument document;
        try
        {
            document = XDocument.Parse(xml, LoadOptions.SetLineInfo);
        }
        catch (XmlException e)
        {
            return new SettingsLayer([], [new Diagnostic(
                DiagnosticCodes.UnreadableRunSettings,
                DiagnosticSeverity.Error,
                "runsettings",
                $"the file is not well-formed XML ({e.Message}); "
                + "fix the XML or point BatchBuild at another runsettings file",
                file,
                e.LineNumber)]);
        }

        var section = document.Root?.Elements().FirstOrDefault(e => Is(e, RunSettingsElement));
        return section is null ? new SettingsLayer([], []) : FromRunSettingsSection(section, file);
    }

    /// <summary>
    /// A BatchBuild-shaped element — the <c>&lt;BatchBuild&gt;</c> section, or a data collector's
    /// <c>&lt;Configuration&gt;</c> — whose children are settings. Child elements named in
    /// <paramref name="hostElements"/> belong to the host and are passed over.
    /// </summary>
    public static SettingsLayer FromRunSettingsSection(XElement section, string file, params string[] hostElements)
    {
        var values = new List<SettingValue>();
        var problems = new List<Diagnostic>();
        foreach (var element in section.Elements().Where(e => !hostElements.Any(name => Is(e, name))))
        {
            foreach (var leaf in element.HasElements ? element.Elements() : [element])
            {
                var path = leaf == element ? leaf.Name.LocalName : $"{element.Name.LocalName}/{leaf.Name.LocalName}";
                var setting = $"{section.Name.LocalName}/{path}";
                var line = ((IXmlLineInfo)leaf).LineNumber;
                var definition = SettingDefinitions.All.FirstOrDefault(d =>
                    string.Equals(d.RunSettingsPath, path, StringComparison.OrdinalIgnoreCase));
                if (definition is null)
                {
                    problems.Add(Unknown(
                        setting,
                        "elements",
                        SettingDefinitions.All.Select(d => d.RunSettingsPath),
                        file,
                        line));
                }
                else if (leaf.Value.Trim() is { Length: > 0 } text)
                {
                    values.Add(new SettingValue(definition, text, setting, file, line));
                }
            }
        }

        return new SettingsLayer(values, problems);
    }

    /// <summary>MSBuild properties by name; empty values count as not set.</summary>
    public static SettingsLayer FromProperties(IEnumerable<KeyValuePair<string, string?>> properties) =>
        FromPairs(properties, d => d.Property, name => $"MSBuild property {name}", "properties", _ => false);

    /// <summary>
    /// The <c>BATCHBUILD_*</c> variables of an environment (other variables are passed over);
    /// empty values count as not set.
    /// </summary>
    public static SettingsLayer FromEnvironment(IEnumerable<KeyValuePair<string, string?>> variables) =>
        FromPairs(
            variables.Where(pair => pair.Key.StartsWith("BATCHBUILD_", StringComparison.Ordinal)),
            d => d.Variable,
            name => $"environment variable {name}",
            "variables",
            SettingDefinitions.OtherVariables.Contains);

    private static SettingsLayer FromPairs(
        IEnumerable<KeyValuePair<string, string?>> pairs,
        Func<SettingDefinition, string?> nameOf,
        Func<string, string> describe,
        string kind,
        Func<string, bool> isKnownElsewhere)
    {
        var values = new List<SettingValue>();
        var problems = new List<Diagnostic>();
        foreach (var (name, value) in pairs.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            var definition = SettingDefinitions.All.FirstOrDefault(d =>
                string.Equals(nameOf(d), name, StringComparison.OrdinalIgnoreCase));
            if (definition is null)
            {
                if (!isKnownElsewhere(name))
                {
                    problems.Add(Unknown(
                        describe(name),
                        kind,
                        SettingDefinitions.All.Select(nameOf).OfType<string>(),
                        null,
                        0));
                }
            }
            else if (value?.Trim() is { Length: > 0 } text)
            {
                values.Add(new SettingValue(definition, text, describe(name), null, 0));
            }
        }

        return new SettingsLayer(values, problems);
    }

    private static Diagnostic Unknown(string setting, string kind, IEnumerable<string> known, string? file, int line) =>
        new(
            DiagnosticCodes.UnknownSetting,
            DiagnosticSeverity.Warning,
            setting,
            $"BatchBuild has no such setting and ignores it; the known {kind} are {string.Join(", ", known)}",
            file,
            line);

    private static bool Is(XElement element, string name) =>
        string.Equals(element.Name.LocalName, name, StringComparison.OrdinalIgnoreCase);
}
