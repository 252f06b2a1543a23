using System.Text.Json;

namespace Names;

/// <summary>
/// Arguments that test names get wrong: quotes, line breaks, tabs, separators of filter and
/// selection languages, a backslash and letters beyond ASCII. Every case records who it is
/// through <see cref="Samples.TestRecorder"/>, so that a run can be checked to have run each case
/// exactly once.
/// </summary>
public static class Tricky
{
    public const string Quote = "say \"hi\"";
    public const string LineBreak = "A | B\r\n---|---";
    public const string Tab = "col1\tcol2";
    public const string Slash = "a/b";
    public const string Comma = "x, y";
    public const string Paren = "f(x";
    public const string Bracket = "[nofollow";
    public const string Or = "a || b";
    public const string Backslash = @"C:\temp\new";
    public const string Letters = "Ünïcödé Ελληνικά 日本語";

    public static readonly string[] All = [Quote, LineBreak, Tab, Slash, Comma, Paren, Bracket, Or, Backslash, Letters];

    /// <summary>A 300-character argument: the case's name is longer still.</summary>
    public static readonly string Long = string.Concat(Enumerable.Repeat("long-name-", 30));

    /// <summary>Records one case, named by its framework, method and arguments (or the framework's own ID).</summary>
    public static void Record(string framework, string identity) =>
        Samples.TestRecorder.Record($"{framework} {JsonSerializer.Serialize(identity)}");

    public static string Arguments(params object?[] values) => JsonSerializer.Serialize(values);
}
