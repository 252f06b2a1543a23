using System.Text;

namespace BatchBuild.Core.Tests.Contracts;

/// <summary>
/// A pipe table of a Markdown document, as the docs write them: a header row, a delimiter row,
/// then one row per line. Enough Markdown to check a table against the code, no more.
/// </summary>
/// <param name="Header">The header's cells, trimmed.</param>
/// <param name="Rows">Each row's cells, trimmed, with the line it stands on (1-based).</param>
internal sealed record MarkdownTable(IReadOnlyList<string> Header, IReadOnlyList<MarkdownTable.Row> Rows)
{
    /// <summary>One row of a table.</summary>
    /// <param name="Line">The 1-based line of the document the row stands on, for messages.</param>
    /// <param name="Cells">The row's cells, trimmed.</param>
    public sealed record Row(int Line, IReadOnlyList<string> Cells);

    /// <summary>Every table of <paramref name="markdown"/>, in document order.</summary>
    public static IReadOnlyList<MarkdownTable> ReadAll(string markdown)
    {
        var lines = markdown.Split('\n').Select(line => line.TrimEnd('\r')).ToArray();
        var tables = new List<MarkdownTable>();
        for (var i = 0; i + 1 < lines.Length; i++)
        {
            if (!IsTableLine(lines[i]) || !IsDelimiter(lines[i + 1]))
            {
                continue;
            }

            var header = Cells(lines[i]);
            var rows = new List<Row>();
            var next = i + 2;
            for (; next < lines.Length && IsTableLine(lines[next]); next++)
            {
                rows.Add(new Row(next + 1, Cells(lines[next])));
            }

            tables.Add(new MarkdownTable(header, rows));
            i = next - 1;
        }

        return tables;
    }

    /// <summary>
    /// The text of each code span (<c>`…`</c>) in <paramref name="cell"/>, in order: the names the
    /// docs write as code.
    /// </summary>
    public static IReadOnlyList<string> CodeSpans(string cell)
    {
        var spans = new List<string>();
        var parts = cell.Split('`');
        for (var i = 1; i < parts.Length - 1; i += 2)
        {
            spans.Add(parts[i]);
        }

        return spans;
    }

    private static bool IsTableLine(string line) => line.TrimStart().StartsWith('|');

    private static bool IsDelimiter(string line) =>
        IsTableLine(line) && Cells(line).All(cell => cell.Length > 0 && cell.Trim(':').All(c => c == '-'));

    // A pipe inside a code span or escaped with a backslash belongs to the cell, as in GitHub's
    // tables.
    private static List<string> Cells(string line)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        var inCode = false;
        var text = line.Trim();
        for (var i = 1; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length && text[i + 1] == '|')
            {
                cell.Append('|');
                i++;
            }
            else if (c == '`')
            {
                inCode = !inCode;
                cell.Append(c);
            }
            else if (c == '|' && !inCode)
            {
                cells.Add(cell.ToString().Trim());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }

        if (cell.ToString().Trim().Length > 0)
        {
            cells.Add(cell.ToString().Trim());
        }

        return cells;
    }
}
