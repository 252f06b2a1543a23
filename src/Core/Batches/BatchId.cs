using System.Diagnostics.CodeAnalysis;

namespace BatchBuild.Core.Batches;

/// <summary>
/// The shared ID of a batch: 1 to 128 characters from letters, digits and <c>- _ . ~ : @ + =</c>,
/// so it stays one path segment in a URL and one token in a file name or a log line.
/// </summary>
public readonly record struct BatchId
{
    /// <summary>The longest ID accepted.</summary>
    public const int MaxLength = 128;

    /// <summary>The punctuation an ID may hold besides ASCII letters and digits.</summary>
    public const string AllowedPunctuation = "-_.~:@+=";

    /// <summary>What an ID may look like, for error messages.</summary>
    public const string Rule = "1 to 128 characters from ASCII letters, digits and - _ . ~ : @ + =, not '.' or '..'";

    private BatchId(string value) => Value = value;

    /// <summary>The ID's text.</summary>
    public string Value { get; }

    /// <summary>Checks <paramref name="text"/> against <see cref="Rule"/>; <paramref name="problem"/> says what is wrong.</summary>
    public static bool TryCreate(string? text, out BatchId id, [NotNullWhen(false)] out string? problem)
    {
        id = default;
        var bad = text is null ? -1 : text.AsSpan().IndexOfAnyExcept(Allowed);
        problem = text switch
        {
            null or "" => "it is empty",
            { Length: > MaxLength } => $"it is {text.Length} characters long",
            "." or ".." => "it would be read as a relative path",
            _ when bad >= 0 => $"it contains {Describe(text[bad])}",
            _ => null,
        };
        if (problem is not null)
        {
            return false;
        }

        id = new BatchId(text!);
        return true;
    }

    /// <summary>The ID for <paramref name="text"/>; throws <see cref="FormatException"/> when it breaks <see cref="Rule"/>.</summary>
    public static BatchId Parse(string text) =>
        TryCreate(text, out var id, out var problem)
            ? id
            : throw new FormatException($"'{text}' is not a batch ID: {problem}; use {Rule}.");

    /// <inheritdoc />
    public override string ToString() => Value ?? string.Empty;

    private static readonly System.Buffers.SearchValues<char> Allowed = System.Buffers.SearchValues.Create(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789" + AllowedPunctuation);

    private static string Describe(char c) =>
        char.IsControl(c) || char.IsWhiteSpace(c) ? $"the character U+{(int)c:X4}" : $"'{c}'";
}
