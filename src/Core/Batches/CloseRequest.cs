using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using BatchBuild.Core.Configuration;

namespace BatchBuild.Core.Batches;

/// <summary>
/// What closing a batch at the end of a <c>dotnet test</c> invocation needs, written by each test
/// project's task and read once, after the last project, by the closing step.
/// </summary>
/// <param name="BatchId">The batch to close.</param>
/// <param name="Project">The test project that wrote the request.</param>
/// <param name="StorePath">The embedded store.</param>
/// <param name="IdleTimeout">When an idle batch closes by itself.</param>
/// <param name="MaxBatchAge">When an old batch closes by itself.</param>
/// <param name="NotifyOnCompletion">Whether closing notifies.</param>
/// <param name="SummaryPath">The JSON summary file, or null.</param>
/// <param name="WebhookUrls">The webhooks.</param>
/// <param name="ServerUrl">The server, or null for the embedded store.</param>
/// <param name="ApiKey">The server's API key, or null.</param>
/// <param name="Proxy">The proxy, or null.</param>
public sealed record CloseRequest(
    string BatchId,
    string Project,
    string StorePath,
    TimeSpan IdleTimeout,
    TimeSpan MaxBatchAge,
    bool NotifyOnCompletion,
    string? SummaryPath,
    ImmutableArray<string> WebhookUrls,
    string? ServerUrl,
    string? ApiKey,
    string? Proxy)
{
    /// <summary>The request for <paramref name="batchId"/> under <paramref name="settings"/>.</summary>
    public static CloseRequest From(BatchId batchId, string project, string storePath, BatchLifecycleSettings settings) => new(
        batchId.Value,
        project,
        storePath,
        settings.Limits.IdleTimeout,
        settings.Limits.MaxAge,
        settings.NotifyOnCompletion,
        settings.SummaryPath,
        [.. settings.WebhookUrls.Select(url => url.AbsoluteUri)],
        settings.ServerUrl?.AbsoluteUri,
        settings.ApiKey,
        settings.Proxy?.AbsoluteUri);

    /// <summary>The lifecycle settings the request carries.</summary>
    public BatchLifecycleSettings Lifecycle => new(
        new BatchLimits(IdleTimeout, MaxBatchAge),
        NotifyOnCompletion,
        SummaryPath,
        [.. WebhookUrls.Select(url => new Uri(url))],
        DontCloseBatch: false,
        ServerUrl is null ? null : new Uri(ServerUrl),
        ApiKey,
        Proxy is null ? null : new Uri(Proxy));

    /// <summary>The request as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, CloseRequestJson.Default.CloseRequest);

    /// <summary>Reads a request written by <see cref="ToJson"/>; throws <see cref="JsonException"/> when it is not one.</summary>
    public static CloseRequest FromJson(string json) =>
        JsonSerializer.Deserialize(json, CloseRequestJson.Default.CloseRequest) ?? throw new JsonException("The close request is empty.");

    /// <summary>
    /// The requests that close together: one per batch and place (store file or server), the
    /// first of each kept; several projects of one invocation write the same request.
    /// </summary>
    public static IReadOnlyList<CloseRequest> Distinct(IEnumerable<CloseRequest> requests) =>
        [.. requests
            .GroupBy(r => (r.BatchId, Place: r.ServerUrl ?? r.StorePath))
            .Select(group => group.OrderBy(r => r.Project, StringComparer.Ordinal).First())
            .OrderBy(r => r.BatchId, StringComparer.Ordinal)];
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(CloseRequest))]
internal sealed partial class CloseRequestJson : JsonSerializerContext;
