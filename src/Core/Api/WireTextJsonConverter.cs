using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace BatchBuild.Core.Api;

/// <summary>
/// Text on the wire, read as sent, also when it holds an escaped unpaired UTF-16 surrogate
/// (<c>"\ud800"</c>): valid JSON, which the framework's reader refuses to turn into a string. The
/// surrogate is kept, so that it becomes U+FFFD where text is stored (<see cref="Store.StoredText"/>)
/// and is refused where a field does not allow it (batch IDs, agent names), as for any other text.
/// </summary>
public sealed class WireTextJsonConverter : JsonConverter<string>
{
    /// <inheritdoc />
    public override bool HandleNull => false;

    /// <inheritdoc />
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String || !reader.ValueIsEscaped)
        {
            return reader.GetString();
        }

        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            // Only an escaped surrogate that is not half of a pair gets here: the reader has
            // checked every other escape already.
            return Unescape(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan);
        }
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value);

    /// <summary>A JSON string's content, its escapes resolved, surrogates kept as they are.</summary>
    internal static string Unescape(ReadOnlySpan<byte> escaped)
    {
        var text = Encoding.UTF8.GetString(escaped);
        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\' || i + 1 >= text.Length)
            {
                result.Append(text[i]);
                continue;
            }

            var escape = text[++i];
            switch (escape)
            {
                case 'u' when i + 4 < text.Length:
                    result.Append((char)int.Parse(
                        text.AsSpan(i + 1, 4),
                        NumberStyles.AllowHexSpecifier,
                        CultureInfo.InvariantCulture));
                    i += 4;
                    break;
                case 'b':
                    result.Append('\b');
                    break;
                case 'f':
                    result.Append('\f');
                    break;
                case 'n':
                    result.Append('\n');
                    break;
                case 'r':
                    result.Append('\r');
                    break;
                case 't':
                    result.Append('\t');
                    break;
                default:
                    // \" \\ \/
                    result.Append(escape);
                    break;
            }
        }

        return result.ToString();
    }
}
