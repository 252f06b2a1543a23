using System.Text.Json;
using System.Text.Json.Serialization;

namespace BatchBuild.Core.Api;

/// <summary>
/// A time on the wire: ISO-8601 with its offset (<c>Z</c> or <c>±hh:mm</c>). The framework reads
/// a time without one in the server's own time zone, so the same report would be stored as
/// different times on different servers; such a time is refused instead.
/// </summary>
public sealed class OffsetTimeJsonConverter : JsonConverter<DateTimeOffset>
{
    /// <summary>What a time may look like, for error messages.</summary>
    public const string Rule =
        "an ISO-8601 date and time with an offset, such as 2026-11-23T08:00:00Z or 2026-11-23T09:00:00+01:00";

    /// <inheritdoc />
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String
            && HasOffset(reader.GetString()!)
            && reader.TryGetDateTimeOffset(out var time))
        {
            return time;
        }

        throw new JsonException($"not {Rule}");
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value);

    // A date, a 'T', a time, and then 'Z' or a signed offset: the offset is the only place after
    // the 'T' where a sign may stand.
    private static bool HasOffset(string text)
    {
        var time = text.IndexOf('T', StringComparison.OrdinalIgnoreCase);
        return time > 0 && (text.EndsWith('Z') || text.EndsWith('z') || text.IndexOfAny(['+', '-'], time) > 0);
    }
}
