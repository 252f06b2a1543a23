using System.Text.Json;
using System.Text.Json.Serialization;
using BatchBuild.Core.Durations;

namespace BatchBuild.Core.Store;

/// <summary>One test's result in a <see cref="TestBatchResults"/> file.</summary>
public sealed record TestBatchResult(string FullyQualifiedName, string DisplayName, TestRunOutcome Outcome, double DurationMillis);

/// <summary>
/// What the collector saw in one test batch: the file it attaches to the run and that the MSBuild
/// task reads back. <see cref="Recorded"/> says whether the results reached the store; when not,
/// the reader records them, so that no result is lost.
/// </summary>
public sealed record TestBatchResults(
    string BatchId,
    int TestBatch,
    string Source,
    bool Recorded,
    string? RecordError,
    IReadOnlyList<TestBatchResult> Tests)
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The results as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Options);

    /// <summary>Reads results written by <see cref="ToJson"/>; throws <see cref="JsonException"/> when they are not.</summary>
    public static TestBatchResults FromJson(string json) =>
        JsonSerializer.Deserialize<TestBatchResults>(json, Options) ?? throw new JsonException("The test batch results file is empty.");
}
