using System.Text.Json.Serialization;

namespace BatchBuild.Core.Store;

/// <summary>
/// The results file's JSON, generated at compile time: the collector writes it inside the
/// data collector process, where reflection-based serialization would cost start-up time.
/// </summary>
[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(TestBatchResults))]
internal sealed partial class TestBatchResultsJson : JsonSerializerContext;
