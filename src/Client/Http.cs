using System.Net;
using BatchBuild.Core.Batches;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace BatchBuild.Client;

/// <summary>The HTTP client, proxy and retry policy every BatchBuild request goes through.</summary>
public static class Http
{
    /// <summary>The header every BatchBuild client sends the API key in.</summary>
    public const string ApiKeyHeader = "X-BatchBuild-Api-Key";

    /// <summary>
    /// An HTTP client that goes through <paramref name="proxy"/> when given (user and password may be in its URL).
    /// </summary>
    public static HttpClient CreateClient(Uri? proxy)
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) };
        if (proxy is not null)
        {
            var address = CloseRequest.WithoutCredentials(proxy);
            var webProxy = new WebProxy(address) { BypassProxyOnLocal = false };
            if (proxy.UserInfo.Length > 0)
            {
                var parts = proxy.UserInfo.Split(':', 2);
                webProxy.Credentials = new NetworkCredential(
                    Uri.UnescapeDataString(parts[0]),
                    parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : string.Empty);
            }

            handler.Proxy = webProxy;
            handler.UseProxy = true;
        }
        else
        {
            handler.UseProxy = false;
        }

        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>
    /// Retries connection failures, timeouts, 408, 429 and 5xx answers with exponential back-off
    /// and jitter, each attempt bounded by <paramref name="attemptTimeout"/>.
    /// </summary>
    public static ResiliencePipeline<HttpResponseMessage> RetryPipeline(
        TimeSpan attemptTimeout,
        int retries = 3,
        TimeSpan? firstDelay = null) =>
        new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = retries,
                Delay = firstDelay ?? TimeSpan.FromMilliseconds(500),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(response => IsTransient(response.StatusCode)),
            })
            .AddTimeout(attemptTimeout)
            .Build();

    /// <summary>Whether an answer with <paramref name="status"/> is worth another try.</summary>
    public static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    /// <summary>
    /// A URL fit for the log: no user information, no query (webhook URLs often carry secrets
    /// there).
    /// </summary>
    public static string Redacted(Uri url) =>
        new UriBuilder(url)
        {
            UserName = string.Empty,
            Password = string.Empty,
            Query = url.Query.Length > 0 ? "…" : string.Empty,
        }.Uri.ToString().Replace("?%E2%80%A6", "?…", StringComparison.Ordinal);
}
