using System.Text;

namespace BatchBuild.Core.Store;

/// <summary>
/// Text as every store keeps it. PostgreSQL cannot store U+0000 in text, and no database stores a
/// lone UTF-16 surrogate as what was sent; both become U+FFFD (the replacement character) wherever
/// text is recorded, so that one odd test name or message is never taken for an outage.
/// </summary>
public static class StoredText
{
    /// <summary>The character that replaces what cannot be stored.</summary>
    public const char Replacement = '\uFFFD';

    /// <summary><paramref name="text"/> with every U+0000 and unpaired surrogate replaced by U+FFFD.</summary>
    public static string Clean(string text)
    {
        // Copied only from the first character that has to change; clean text is returned as is.
        StringBuilder? clean = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                clean?.Append(c).Append(text[i + 1]);
                i++;
            }
            else if (c == '\0' || char.IsSurrogate(c))
            {
                (clean ??= new StringBuilder(text.Length).Append(text, 0, i)).Append(Replacement);
            }
            else
            {
                clean?.Append(c);
            }
        }

        return clean?.ToString() ?? text;
    }

    /// <summary><paramref name="text"/> cleaned, or null.</summary>
    public static string? CleanOrNull(string? text) => text is null ? null : Clean(text);
}
