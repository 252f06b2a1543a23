using System.Xml.Linq;
using BatchBuild.Core.Configuration;

namespace BatchBuild.Core.Tests.Contracts;

/// <summary>
/// The settings table in Core, the settings the package's MSBuild targets pass to its tasks, and
/// the table in docs/configuration.md name the same settings by the same names, so a setting added
/// in one place only fails here, named.
/// </summary>
public class SettingsContractTests
{
    private const string ConfigurationDoc = "docs/configuration.md";

    // The item the targets list every setting property in, handed to the tasks as Settings.
    private const string SettingItem = "_BatchBuildSetting";

    [Test]
    public void Every_setting_is_documented_once_under_its_three_names()
    {
        var documented = DocumentedSettings();
        var problems = new List<string>();
        foreach (var setting in SettingDefinitions.All)
        {
            var rows = documented.Where(row => row.Key == setting.RunSettingsPath).ToList();
            if (rows.Count == 0)
            {
                problems.Add(
                    $"{setting.RunSettingsPath} ({setting.Property}) is a setting in SettingDefinitions "
                    + $"but has no row in {ConfigurationDoc}'s settings table");
                continue;
            }

            if (rows.Count > 1)
            {
                problems.Add(
                    $"{setting.RunSettingsPath} has {rows.Count} rows in {ConfigurationDoc} "
                    + $"(lines {string.Join(", ", rows.Select(row => row.Line))}); keep one");
            }

            var row = rows[0];
            if (row.Property != setting.Property)
            {
                problems.Add(
                    $"{setting.RunSettingsPath}: {ConfigurationDoc} line {row.Line} names the MSBuild property "
                    + $"{row.Property ?? "(none)"}, the code reads {setting.Property}");
            }

            if (row.Variable != setting.Variable)
            {
                problems.Add(
                    $"{setting.RunSettingsPath}: {ConfigurationDoc} line {row.Line} names the variable "
                    + $"{row.Variable ?? "(none)"}, the code reads {setting.Variable ?? "(none)"}");
            }
        }

        var known = SettingDefinitions.All
            .Select(setting => setting.RunSettingsPath)
            .ToHashSet(StringComparer.Ordinal);
        problems.AddRange(documented
            .Where(row => !known.Contains(row.Key))
            .Select(row =>
                $"{ConfigurationDoc} line {row.Line} documents {row.Key}, which is not a setting in "
                + "SettingDefinitions"));

        Assert.That(problems, Is.Empty, string.Join(Environment.NewLine, problems));
    }

    [Test]
    public void The_targets_pass_every_setting_property_to_the_tasks_and_no_other()
    {
        var passed = PassedProperties();
        var problems = new List<string>();
        foreach (var setting in SettingDefinitions.All)
        {
            var items = passed.Where(item => item.Property == setting.Property).ToList();
            if (items.Count == 0)
            {
                problems.Add(
                    $"{setting.Property} is a setting in SettingDefinitions, but no {SettingItem} item in "
                    + "build/ passes it to the tasks");
            }
            else if (items.Count > 1)
            {
                problems.Add(
                    $"{setting.Property} is passed by {items.Count} {SettingItem} items "
                    + $"({string.Join(", ", items.Select(item => item.File))}); keep one");
            }
        }

        var known = SettingDefinitions.All
            .Select(setting => setting.Property)
            .ToHashSet(StringComparer.Ordinal);
        problems.AddRange(passed
            .Where(item => !known.Contains(item.Property))
            .Select(item =>
                $"{item.File} passes {item.Property} as a {SettingItem}, which is not a setting in "
                + "SettingDefinitions"));
        problems.AddRange(passed
            .Where(item => item.Value != $"$({item.Property})")
            .Select(item =>
                $"{item.File} passes {item.Property} with the value {item.Value}; "
                + $"it must pass $({item.Property})"));

        Assert.That(problems, Is.Empty, string.Join(Environment.NewLine, problems));
    }

    [Test]
    public void The_contract_reads_the_documented_table_whole()
    {
        // Guards the two tests above against a table the parser stops reading: every setting row
        // must be found, with its property, so a broken table cannot pass as an empty one.
        var documented = DocumentedSettings();

        Assert.That(documented, Has.Count.EqualTo(SettingDefinitions.All.Count));
        Assert.That(documented.Select(row => row.Property), Has.All.StartWith("BatchBuild"));
    }

    private static List<DocumentedSetting> DocumentedSettings()
    {
        var tables = MarkdownTable
            .ReadAll(RepositoryFile.Read(ConfigurationDoc))
            .Where(table =>
                table.Header.Count >= 3
                && table.Header[0].StartsWith("runsettings", StringComparison.Ordinal))
            .ToList();
        Assert.That(tables, Is.Not.Empty, $"{ConfigurationDoc} has no table whose first column is the runsettings key");

        return [.. tables
            .SelectMany(table => table.Rows)
            .Select(row => new DocumentedSetting(
                row.Line,
                FirstSpan(row.Cells[0]) ?? row.Cells[0],
                FirstSpan(row.Cells[1]),
                VariableIn(row.Cells[2])))];
    }

    // The variable column opens with the variable as code; a setting without one says so first
    // ("—"), and may then name a variable read elsewhere.
    private static string? VariableIn(string cell) =>
        cell.StartsWith('`') ? FirstSpan(cell) : null;

    // The first code span of a cell, or null when it has none.
    private static string? FirstSpan(string cell) => MarkdownTable.CodeSpans(cell) is [var first, ..] ? first : null;

    private static List<PassedProperty> PassedProperties() =>
        [.. RepositoryFile.Find("build", "*.props")
            .Concat(RepositoryFile.Find("build", "*.targets"))
            .SelectMany(file => XDocument
                .Parse(RepositoryFile.Read(file))
                .Descendants()
                .Where(element => element.Name.LocalName == SettingItem)
                .Select(element => new PassedProperty(
                    file,
                    (string?)element.Attribute("Include") ?? "",
                    (string?)element.Attribute("Value") ?? "")))];

    private sealed record DocumentedSetting(int Line, string Key, string? Property, string? Variable);

    private sealed record PassedProperty(string File, string Property, string Value);
}
