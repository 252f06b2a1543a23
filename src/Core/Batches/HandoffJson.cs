using System.Text.Json.Serialization;

namespace BatchBuild.Core.Batches;

/// <summary>The hand-off file's JSON, in vstest's property names.</summary>
[JsonSerializable(typeof(PostProcessingHandoff.Message))]
internal sealed partial class HandoffJson : JsonSerializerContext;
