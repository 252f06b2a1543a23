using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace BatchBuild.Core.Batches;

/// <summary>
/// The shared ID of a batch: free text, as visual-testing services take it (<c>Nightly build 42</c>,
/// <c>feature/login#3</c>, <c>日本</c>), stored and compared exactly. It holds 1 to
/// <see cref="MaxLength"/> UTF-16 code units of printable Unicode: no control characters, no line
/// or paragraph separators, no unpaired surrogates, not only white space, and not <c>.</c> or
/// <c>..</c> (which no URL path can carry). Wherever it goes into a URL it is percent-encoded;
/// wherever it names a file, <see cref="FileName"/> is used.
/// </summary>
public readonly record struct BatchId
{
    /// <summary>The longest ID accepted, in UTF-16 code units (a character beyond U+FFFF counts as two).</summary>
    public const int MaxLength = 256;

    /// <summary>What an ID may look like, for error messages.</summary>
    public const string Rule =
        "1 to 256 characters of printable text: no control characters or line breaks, not only spaces, not '.' or '..'";

    // The longest part of an ID kept readable in a file name; the rest is a hash.
    private const int FileNamePrefix = 40;

    private BatchId(string value) => Value = value;

    /// <summary>The ID's text.</summary>
    public string Value { get; }

    /// <summary>
    /// The ID as one safe file or folder name on every platform: the ID itself when it is short
    /// and made of ASCII letters, digits, <c>-</c>, <c>_</c> and <c>.</c>; otherwise its safe
    /// characters (at most 40) and a hash of the whole ID, so different IDs never share a name.
    /// </summary>
    public string FileName
    {
        get
        {
            var value = Value ?? string.Empty;
            if (value.Length <= 64 && value[0] != '.' && value.All(IsFileNameCharacter))
            {
                return value;
            }

            var readable = new StringBuilder(FileNamePrefix);
            foreach (var c in value)
            {
                if (readable.Length == FileNamePrefix)
                {
                    break;
                }

                readable.Append(IsFileNameCharacter(c) ? c : '_');
            }

            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)).AsSpan(0, 8));
            return $"{readable.ToString().TrimStart('.')}-{hash}";
        }
    }

    /// <summary>
    /// Checks <paramref name="text"/> against <see cref="Rule"/>; <paramref name="problem"/> says what is wrong.
    /// </summary>
    public static bool TryCreate(string? text, out BatchId id, [NotNullWhen(false)] out string? problem)
    {
        id = default;
        problem = text switch
        {
            null or "" => "it is empty",
            { Length: > MaxLength } => $"it is {text.Length} characters long",
            "." or ".." => "it would be read as a relative path",
            _ when string.IsNullOrWhiteSpace(text) => "it is only white space",
            _ => FirstUnprintable(text),
        };
        if (problem is not null)
        {
            return false;
        }

        id = new BatchId(text!);
        return true;
    }

    /// <summary>
    /// The ID for <paramref name="text"/>; throws <see cref="FormatException"/> when it breaks <see cref="Rule"/>.
    /// </summary>
    public static BatchId Parse(string text) =>
        TryCreate(text, out var id, out var problem)
            ? id
            : throw new FormatException($"'{text}' is not a batch ID: {problem}; use {Rule}.");

    /// <inheritdoc />
    public override string ToString() => Value ?? string.Empty;

    private static bool IsFileNameCharacter(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.';

    private static string? FirstUnprintable(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            var unprintable = char.IsSurrogate(c)
                || char.GetUnicodeCategory(c)
                    is UnicodeCategory.Control or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
            if (unprintable)
            {
                return $"it contains the character U+{(int)c:X4} at position {i + 1}";
            }
        }

        return null;
    }
}
