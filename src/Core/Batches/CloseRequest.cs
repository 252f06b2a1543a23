using System.Collections.Immutable;
using System.Text.Json;
using BatchBuild.Core.Configuration;

namespace BatchBuild.Core.Batches;

/// <summary>
/// What closing a batch at the end of a <c>dotnet test</c> invocation needs, written by each test
/// project's task and read once, after the last project, by the closing step. It is a file on
/// disk, so it holds no secret: instead of the API key, a <see cref="Batches.CloseToken"/> the
/// server issued, which can only close this batch ID for a while; instead of the proxy URL, the
/// proxy without its user and password. The closing step takes the key and the proxy's
/// credentials from <c>BATCHBUILD_API_KEY</c> and <c>BATCHBUILD_PROXY</c> when they are in its
/// environment, which is also how it closes when the server could not issue a token.
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
/// <param name="CloseToken">A token that closes this batch ID on the server, or null.</param>
/// <param name="Proxy">The proxy without user and password, or null.</param>
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
    string? CloseToken,
    string? Proxy)
{
    /// <summary>
    /// The request for <paramref name="batchId"/> under <paramref name="settings"/>, with the
    /// <paramref name="closeToken"/> the server issued for it, or null.
    /// </summary>
    public static CloseRequest From(
        BatchId batchId,
        string project,
        string storePath,
        BatchLifecycleSettings settings,
        string? closeToken) => new(
        batchId.Value,
        project,
        storePath,
        settings.Limits.IdleTimeout,
        settings.Limits.MaxAge,
        settings.NotifyOnCompletion,
        settings.SummaryPath,
        [.. settings.WebhookUrls.Select(url => url.AbsoluteUri)],
        settings.ServerUrl?.AbsoluteUri,
        settings.ServerUrl is null ? null : closeToken,
        settings.Proxy is null ? null : WithoutCredentials(settings.Proxy).AbsoluteUri);

    /// <summary>
    /// The lifecycle settings the request carries, with the API key and the proxy (credentials
    /// included) of <paramref name="environment"/> when it has <c>BATCHBUILD_API_KEY</c> or
    /// <c>BATCHBUILD_PROXY</c>.
    /// </summary>
    public BatchLifecycleSettings LifecycleIn(Func<string, string?> environment) => new(
        new BatchLimits(IdleTimeout, MaxBatchAge),
        NotifyOnCompletion,
        SummaryPath,
        [.. WebhookUrls.Select(url => new Uri(url))],
        DontCloseBatch: false,
        ServerUrl is null ? null : new Uri(ServerUrl),
        environment("BATCHBUILD_API_KEY") is { Length: > 0 } key ? key.Trim() : null,
        environment("BATCHBUILD_PROXY") is { Length: > 0 } proxy
            && Uri.TryCreate(proxy.Trim(), UriKind.Absolute, out var url) ? url
        : Proxy is null ? null : new Uri(Proxy));

    /// <summary><paramref name="url"/> without user and password.</summary>
    public static Uri WithoutCredentials(Uri url) =>
        url.UserInfo.Length == 0 ? url : new UriBuilder(url) { UserName = string.Empty, Password = string.Empty }.Uri;

    /// <summary>The request as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, CloseRequestJson.Default.CloseRequest);

    /// <summary>
    /// Reads a request written by <see cref="ToJson"/>; throws <see cref="JsonException"/> when it
    /// is not one.
    /// </summary>
    public static CloseRequest FromJson(string json) =>
        JsonSerializer.Deserialize(json, CloseRequestJson.Default.CloseRequest)
        ?? throw new JsonException("The close request is empty.");

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
