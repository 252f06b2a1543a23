using System.Text.Json.Serialization;

namespace BatchBuild.Core.Batches;

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(BatchCompletion))]
internal sealed partial class BatchCompletionJson : JsonSerializerContext;
