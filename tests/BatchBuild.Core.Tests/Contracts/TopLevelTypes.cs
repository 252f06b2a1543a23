using System.Text.RegularExpressions;

namespace BatchBuild.Core.Tests.Contracts;

/// <summary>
/// Reads which types a C# file declares outside any other type, without a compiler: comments, string and
/// character literals and preprocessor lines are blanked first, then declarations are read where only
/// namespace braces are open.
/// </summary>
internal static partial class TopLevelTypes
{
    private static readonly HashSet<string> Kinds = ["class", "struct", "interface", "enum", "record", "delegate"];

    private static readonly HashSet<string> Modifiers =
    [
        "public", "internal", "private", "protected", "file", "static", "sealed", "abstract", "partial",
        "readonly", "ref", "unsafe", "new",
    ];

    /// <summary>The top-level types declared in <paramref name="source"/>, in order.</summary>
    public static IReadOnlyList<TopLevelType> In(string source)
    {
        var code = CodeOnly(source);
        var found = new List<TopLevelType>();
        var namespaceBraces = new Stack<bool>();
        var openBraces = 0;
        var brackets = 0;
        var head = 0;
        for (var i = 0; i < code.Length; i++)
        {
            switch (code[i])
            {
                case '(' or '[':
                    brackets++;
                    break;
                case ')' or ']':
                    brackets--;
                    break;
                case '{':
                    var opensNamespace = NamespaceHead().IsMatch(code[head..i]);
                    namespaceBraces.Push(opensNamespace);
                    openBraces += opensNamespace ? 0 : 1;
                    head = i + 1;
                    break;
                case '}':
                    openBraces -= namespaceBraces.Count > 0 && !namespaceBraces.Pop() ? 1 : 0;
                    head = i + 1;
                    break;
                case ';':
                    head = i + 1;
                    break;
                default:
                    if (openBraces == 0 && brackets == 0 && StartsWord(code, i))
                    {
                        var word = WordAt(code, i);
                        if (Kinds.Contains(word) && Declaration(code, head, i, word) is { } type)
                        {
                            found.Add(type with { Line = 1 + source.AsSpan(0, i).Count('\n') });
                        }

                        i += word.Length - 1;
                    }

                    break;
            }
        }

        return found;
    }

    /// <summary>The type <paramref name="keyword"/> at <paramref name="at"/> declares, or null when it is
    /// no declaration (a constraint <c>where T : class</c>, a variable named <c>record</c>).</summary>
    private static TopLevelType? Declaration(string code, int head, int at, string keyword)
    {
        var before = WithoutAttributes(code[head..at]);
        var modifiers = before.Split((char[])[' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries);
        if (!modifiers.All(Modifiers.Contains))
        {
            return null;
        }

        var rest = code[(at + keyword.Length)..];
        var name = keyword switch
        {
            "record" => RecordName().Match(rest),
            "delegate" => DelegateName().Match(rest),
            _ => TypeName().Match(rest),
        };
        return name.Success ? new TopLevelType(name.Groups["name"].Value, modifiers.Contains("partial"), 0) : null;
    }

    /// <summary><paramref name="text"/> with each attribute, brackets nested in it too, made a space.</summary>
    private static string WithoutAttributes(string text)
    {
        var kept = new System.Text.StringBuilder();
        var depth = 0;
        foreach (var c in text)
        {
            depth += c == '[' ? 1 : 0;
            kept.Append(depth == 0 ? c : ' ');
            depth -= c == ']' && depth > 0 ? 1 : 0;
        }

        return kept.ToString();
    }

    /// <summary><paramref name="source"/> with comments, literals and preprocessor lines blanked, line breaks
    /// kept, so that positions and line numbers stay those of the source.</summary>
    private static string CodeOnly(string source)
    {
        var code = source.ToCharArray();
        var i = 0;
        Walk(source, code, ref i, inHole: false);
        return new string(code);
    }

    /// <summary>Blanks comments and literals from <paramref name="i"/> on; inside an interpolation hole, stops
    /// at the brace that closes it.</summary>
    private static void Walk(string s, char[] code, ref int i, bool inHole)
    {
        var depth = 0;
        var lineStart = true;
        while (i < s.Length)
        {
            var c = s[i];
            var next = i + 1 < s.Length ? s[i + 1] : '\0';
            var firstOnLine = lineStart;
            lineStart = c == '\n' || (lineStart && char.IsWhiteSpace(c));
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if ((firstOnLine && c == '#' && !inHole) || (c == '/' && next == '/'))
            {
                var end = s.IndexOf('\n', i);
                i = Blank(code, i, end < 0 ? s.Length : end);
            }
            else if (c == '/' && next == '*')
            {
                var end = s.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = Blank(code, i, end < 0 ? s.Length : end + 2);
            }
            else if (c == '\'')
            {
                var end = s.IndexOf('\'', next == '\\' ? i + 3 : i + 2);
                i = Blank(code, i, end < 0 ? s.Length : end + 1);
            }
            else if (StringEnd(s, code, i) is { } end)
            {
                i = Blank(code, i, end);
            }
            else if (inHole && c == '}' && depth-- == 0)
            {
                return;
            }
            else
            {
                depth += inHole && c == '{' ? 1 : 0;
                i++;
            }
        }
    }

    /// <summary>Where the string literal starting at <paramref name="i"/> ends, or null when none starts
    /// there. Handles regular, verbatim, raw and interpolated strings and the strings inside holes.</summary>
    private static int? StringEnd(string s, char[] code, int i)
    {
        var j = i;
        var interpolated = false;
        var verbatim = false;
        while (j < s.Length && (s[j] == '$' || s[j] == '@'))
        {
            interpolated |= s[j] == '$';
            verbatim |= s[j] == '@';
            j++;
        }

        if (j >= s.Length || s[j] != '"')
        {
            return null;
        }

        var quotes = 0;
        while (j + quotes < s.Length && s[j + quotes] == '"')
        {
            quotes++;
        }

        if (quotes >= 3 && !verbatim)
        {
            var close = s.IndexOf(new string('"', quotes), j + quotes, StringComparison.Ordinal);
            return close < 0 ? s.Length : close + quotes;
        }

        var k = j + 1;
        while (k < s.Length)
        {
            var c = s[k];
            var next = k + 1 < s.Length ? s[k + 1] : '\0';
            if (c == '"' && verbatim && next == '"')
            {
                k += 2;
            }
            else if (c == '"')
            {
                return k + 1;
            }
            else if (c == '\\' && !verbatim)
            {
                k += 2;
            }
            else if (interpolated && (c, next) is ('{', '{') or ('}', '}'))
            {
                k += 2;
            }
            else if (interpolated && c == '{')
            {
                k++;
                Walk(s, code, ref k, inHole: true);
                k++;
            }
            else
            {
                k++;
            }
        }

        return s.Length;
    }

    private static int Blank(char[] code, int from, int to)
    {
        for (var i = from; i < to && i < code.Length; i++)
        {
            code[i] = code[i] is '\n' or '\r' ? code[i] : ' ';
        }

        return to;
    }

    private static bool StartsWord(string code, int i) =>
        char.IsLetter(code[i]) && (i == 0 || !(char.IsLetterOrDigit(code[i - 1]) || code[i - 1] is '_' or '@' or '.'));

    private static string WordAt(string code, int i)
    {
        var end = i;
        while (end < code.Length && (char.IsLetterOrDigit(code[end]) || code[end] == '_'))
        {
            end++;
        }

        return code[i..end];
    }

    [GeneratedRegex(@"^\s*namespace\s+[\w.]+\s*$")]
    private static partial Regex NamespaceHead();


    [GeneratedRegex(@"^\s+(?<name>[A-Za-z_]\w*)\b")]
    private static partial Regex TypeName();

    [GeneratedRegex(@"^\s+((class|struct)\s+)?(?<name>[A-Za-z_]\w*)\s*[(<{:;\r\n]")]
    private static partial Regex RecordName();

    [GeneratedRegex(@"^[^(;{]*?(?<name>[A-Za-z_]\w*)\s*(<[^()]*>)?\s*\(")]
    private static partial Regex DelegateName();
}
