using BatchBuild.Tests.Shared;

namespace BatchBuild.Core.Tests.Contracts;

/// <summary>
/// The layout every source file keeps: one top-level type per file under src/, named as the file, and
/// lines of at most <see cref="MaxLineLength"/> characters in src/, tests/ and bench/ (the limit in
/// .editorconfig).
/// </summary>
public class SourceLayoutTests
{
    private const int MaxLineLength = 120;

    [Test]
    public void Each_source_file_declares_one_top_level_type_named_as_the_file()
    {
        var problems = SourceFiles("src")
            .Select(file => LayoutProblem(file, TopLevelTypes.In(File.ReadAllText(Full(file)))))
            .OfType<string>()
            .ToList();

        Assert.That(problems, Is.Empty, Report(problems, "files do not hold one type named as the file"));
    }

    [Test]
    public void No_line_of_code_is_longer_than_the_limit()
    {
        var problems = new[] { "src", "tests", "bench" }
            .SelectMany(SourceFiles)
            .SelectMany(file => File.ReadLines(Full(file))
                .Select((line, index) => (Line: index + 1, Length: line.EnumerateRunes().Count()))
                .Where(line => line.Length > MaxLineLength)
                .Select(line => $"{file}:{line.Line}: {line.Length} characters"))
            .ToList();

        Assert.That(problems, Is.Empty, Report(problems, $"lines are longer than {MaxLineLength} characters"));
    }

    [TestCase("namespace A;\n\ninternal sealed class Foo<T> where T : class\n{\n    private sealed class Nested;\n}\n",
        "Foo@3")]
    [TestCase("namespace A\n{\n    public record struct Foo(int A);\n    public delegate void Bar<T>(T value);\n}\n",
        "Foo@3 Bar@4")]
    [TestCase("var record = 1;\nConsole.WriteLine($\"{record} class X {{ }}\");\n// class Y\n/* enum Z */\n",
        "")]
    [TestCase("namespace A;\n\n[Flags]\npublic enum Foo : byte { A }\n\ninternal static partial class Bar;\n",
        "Foo@4 partial Bar@6")]
    [TestCase("namespace A;\n\npublic class Foo\n{\n    private const string Text = \"\"\"\n        class Q { }\n" +
        "        \"\"\";\n    private const char Brace = '{';\n}\n", "Foo@3")]
    public void Top_level_types_are_read_past_comments_strings_and_nested_types(string source, string expected)
    {
        var types = TopLevelTypes.In(source)
            .Select(type => $"{(type.IsPartial ? "partial " : "")}{type.Name}@{type.Line}");

        Assert.That(string.Join(" ", types), Is.EqualTo(expected));
    }

    /// <summary>What is wrong with <paramref name="file"/> declaring <paramref name="types"/>, or null.</summary>
    private static string? LayoutProblem(string file, IReadOnlyList<TopLevelType> types)
    {
        var fileName = Path.GetFileName(file);
        var expected = fileName.Split('.')[0];
        var isPart = fileName.Count(c => c == '.') > 1;
        var listed = string.Join(", ", types.Select(type => $"{type.Name} (line {type.Line})"));
        if (fileName == "Program.cs" && types.All(type => type.Name == "Program"))
        {
            return null;
        }

        return types switch
        {
            [] => $"{file}: declares no type; a file under src/ holds one type named as the file",
            [var type] when type.Name == expected && (!isPart || type.IsPartial) => null,
            [var type] when type.Name == expected =>
                $"{file}: a part file declares `partial {expected}` (line {type.Line} is not partial)",
            [var type] => $"{file}: declares {type.Name} (line {type.Line}); name the file after the type",
            _ when fileName == "Program.cs" =>
                $"{file}: a top-level program declares no other type; move {listed} to files of their own",
            _ => $"{file}: declares {types.Count} types ({listed}); give each a file named after it",
        };
    }

    /// <summary>The .cs files below <paramref name="folder"/> as paths from the root, build output left out.</summary>
    private static IEnumerable<string> SourceFiles(string folder) =>
        Directory.EnumerateFiles(Full(folder), "*.cs", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(Repository.Root, path).Replace('\\', '/'))
            .Where(path => !path.Split('/').Any(part => part is "bin" or "obj"))
            .Order(StringComparer.Ordinal);

    private static string Full(string relativePath) => Path.Combine([Repository.Root, .. relativePath.Split('/')]);

    private static string Report(List<string> problems, string what) =>
        $"{problems.Count} {what}:{Environment.NewLine}{string.Join(Environment.NewLine, problems)}";
}
