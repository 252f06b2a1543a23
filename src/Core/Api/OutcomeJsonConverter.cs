using System.Text.Json;
using System.Text.Json.Serialization;
using BatchBuild.Core.Durations;

namespace BatchBuild.Core.Api;

/// <summary>
/// An outcome on the wire: exactly one of its names, in any case. The framework's enum converter
/// also takes numbers and comma-separated lists of names, which it reads as flags, so
/// <c>"Passed, Failed"</c> would be stored as one of them; an outcome is never a combination.
/// </summary>
public sealed class OutcomeJsonConverter : JsonConverter<TestRunOutcome>
{
    /// <summary>What an outcome may be, for error messages.</summary>
    public const string Rule = "one of passed, failed, skipped, none";

    /// <inheritdoc />
    public override TestRunOutcome Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            var text = reader.GetString();
            foreach (var outcome in Enum.GetValues<TestRunOutcome>())
            {
                if (string.Equals(text, outcome.ToString(), StringComparison.OrdinalIgnoreCase))
                {
                    return outcome;
                }
            }
        }

        throw new JsonException($"outcome: {Rule}");
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, TestRunOutcome value, JsonSerializerOptions options) =>
        writer.WriteStringValue(JsonNamingPolicy.CamelCase.ConvertName(value.ToString()));
}
