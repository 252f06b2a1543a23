using System.Collections.Immutable;
using BatchBuild.Core.Batches;

namespace BatchBuild.Core.Configuration;

/// <summary>How batches close, where their completion is announced, and which server closes them.</summary>
/// <param name="Limits">When the store closes an idle or old batch by itself.</param>
/// <param name="NotifyOnCompletion">Whether closing a batch sends its completion notification.</param>
/// <param name="SummaryPath">Where the completion document is written as JSON, or null.</param>
/// <param name="WebhookUrls">Where the completion document is posted.</param>
/// <param name="DontCloseBatch">Whether <c>dotnet test</c> leaves the batch open for a later step to close.</param>
/// <param name="ServerUrl">The batch server, or null for the embedded store.</param>
/// <param name="ApiKey">The server's API key, or null.</param>
/// <param name="Proxy">The proxy to reach the server through, or null; user and password may be in its URL.</param>
public sealed record BatchLifecycleSettings(
    BatchLimits Limits,
    bool NotifyOnCompletion,
    string? SummaryPath,
    ImmutableArray<Uri> WebhookUrls,
    bool DontCloseBatch,
    Uri? ServerUrl,
    string? ApiKey,
    Uri? Proxy)
{
    /// <summary>
    /// 3 hours idle, 3 days old, notify, no summary file or webhook, close after the tests, embedded store.
    /// </summary>
    public static BatchLifecycleSettings Defaults { get; } = new(
        BatchLimits.Default,
        true,
        null,
        [],
        false,
        null,
        null,
        null);
}
