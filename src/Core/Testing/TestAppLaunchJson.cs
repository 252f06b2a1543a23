using System.Text.Json.Serialization;

namespace BatchBuild.Core.Testing;

/// <summary>The launch file's JSON.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(TestAppLaunch))]
internal sealed partial class TestAppLaunchJson : JsonSerializerContext;
