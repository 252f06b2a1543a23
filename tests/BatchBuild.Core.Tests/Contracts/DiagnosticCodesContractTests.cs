using System.Reflection;
using System.Text.RegularExpressions;

namespace BatchBuild.Core.Tests.Contracts;

/// <summary>
/// The code table in docs/diagnostics.md lists exactly the codes Core defines in
/// <see cref="DiagnosticCodes"/>, each once, so a new code cannot ship without its meaning and fix.
/// </summary>
public partial class DiagnosticCodesContractTests
{
    private const string DiagnosticsDoc = "docs/diagnostics.md";

    [Test]
    public void The_code_table_lists_every_defined_code_once_and_no_other()
    {
        var defined = DefinedCodes();
        var documented = DocumentedCodes();
        var problems = new List<string>();

        problems.AddRange(defined
            .Where(code => !documented.Any(row => row.Code == code.Value))
            .Select(code =>
                $"{code.Value} (DiagnosticCodes.{code.Name}) has no row in {DiagnosticsDoc}'s code table"));
        problems.AddRange(documented
            .GroupBy(row => row.Code)
            .Where(rows => rows.Count() > 1)
            .Select(rows =>
                $"{rows.Key} has {rows.Count()} rows in {DiagnosticsDoc} "
                + $"(lines {string.Join(", ", rows.Select(row => row.Line))}); keep one"));
        problems.AddRange(documented
            .Where(row => !defined.Any(code => code.Value == row.Code))
            .Select(row =>
                $"{DiagnosticsDoc} line {row.Line} documents {row.Code}, which DiagnosticCodes does not define"));

        Assert.That(problems, Is.Empty, string.Join(Environment.NewLine, problems));
    }

    [Test]
    public void Each_code_names_one_diagnostic()
    {
        var shared = DefinedCodes()
            .GroupBy(code => code.Value)
            .Where(codes => codes.Count() > 1)
            .Select(codes => $"{codes.Key} is both {string.Join(" and ", codes.Select(code => code.Name))}")
            .ToList();

        Assert.That(shared, Is.Empty, string.Join(Environment.NewLine, shared));
    }

    [Test]
    public void Every_row_of_the_code_table_has_a_severity_a_meaning_and_a_fix()
    {
        var incomplete = DocumentedCodes()
            .Where(row => row.Cells.Count < 4 || row.Cells.Skip(1).Take(3).Any(cell => cell.Length == 0))
            .Select(row => $"{DiagnosticsDoc} line {row.Line} ({row.Code}) lacks a severity, meaning or fix")
            .ToList();

        Assert.That(DocumentedCodes(), Is.Not.Empty);
        Assert.That(incomplete, Is.Empty, string.Join(Environment.NewLine, incomplete));
    }

    private static List<(string Name, string Value)> DefinedCodes()
    {
        var codes = typeof(DiagnosticCodes)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(field => field is { IsLiteral: true } && field.FieldType == typeof(string))
            .Select(field => (field.Name, Value: (string)field.GetRawConstantValue()!))
            .ToList();
        var malformed = codes.Where(code => !CodePattern().IsMatch(code.Value)).ToList();
        Assert.That(
            malformed,
            Is.Empty,
            "every constant of DiagnosticCodes is a code BBnnnn: "
            + string.Join(", ", malformed.Select(code => $"{code.Name} = {code.Value}")));
        return codes;
    }

    private static List<DocumentedCode> DocumentedCodes()
    {
        var tables = MarkdownTable
            .ReadAll(RepositoryFile.Read(DiagnosticsDoc))
            .Where(table => table.Header.Count > 0 && table.Header[0] == "code")
            .ToList();
        Assert.That(tables, Has.Count.EqualTo(1), $"{DiagnosticsDoc} has one table whose first column is the code");

        return [.. tables[0].Rows.Select(row => new DocumentedCode(row.Line, row.Cells[0], row.Cells))];
    }

    [GeneratedRegex("^BB[0-9]{4}$")]
    private static partial Regex CodePattern();

    private sealed record DocumentedCode(int Line, string Code, IReadOnlyList<string> Cells);
}
