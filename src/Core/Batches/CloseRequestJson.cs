using System.Text.Json.Serialization;

namespace BatchBuild.Core.Batches;

/// <summary>The close request's JSON, in camel case.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(CloseRequest))]
internal sealed partial class CloseRequestJson : JsonSerializerContext;
