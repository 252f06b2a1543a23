using System.Net;
using System.Net.Http.Json;
using BatchBuild.Core.Api;
using BatchBuild.Core.Batches;

namespace BatchBuild.Client;

/// <summary>
/// Closes batches on a server with the request visual-testing batch-close clients send:
/// <c>DELETE {server}/api/sessions/batches/{id}/close/bypointerid</c>, the ID URL-encoded, several
/// IDs at once, transient failures retried with back-off. The API key (or, without one, a
/// <see cref="CloseToken"/> for each ID) travels in a header, never in the URL, so no proxy or
/// server log sees it.
/// </summary>
public sealed class ServerBatchCloser(
    HttpClient http,
    Uri server,
    string? apiKey,
    TimeSpan attemptTimeout,
    TimeSpan? firstRetryDelay = null)
{
    /// <summary>Close tokens by batch ID, used for the IDs they name when there is no API key.</summary>
    public IReadOnlyDictionary<string, string> CloseTokens { get; init; } = new Dictionary<string, string>();

    /// <summary>The close request's URL for <paramref name="id"/>.</summary>
    public Uri CloseUrl(BatchId id) =>
        new($"{server.AbsoluteUri.TrimEnd('/')}/{ApiRoutes.EyesClosePath(id)}");

    /// <summary>The route that issues a close token for <paramref name="id"/>.</summary>
    public Uri CloseTokenUrl(BatchId id) =>
        new($"{server.AbsoluteUri.TrimEnd('/')}/{ApiRoutes.CloseTokenPath(id)}");

    /// <summary>
    /// Asks the server for a <see cref="CloseToken"/> for <paramref name="id"/>, with the API key:
    /// the token, or null and why not (for the log; never the key).
    /// </summary>
    public async Task<(string? Token, string Detail)> RequestCloseTokenAsync(
        BatchId id,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(apiKey))
        {
            return (null, "no API key to ask with");
        }

        // One retry: a test project asks before its tests run, and a server that is away costs
        // it no more than two attempts; the close can still use the key from the environment.
        var pipeline = Http.RetryPipeline(attemptTimeout, retries: 1, firstDelay: firstRetryDelay);
        try
        {
            using var response = await pipeline.ExecuteAsync(
                async token =>
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, CloseTokenUrl(id));
                    request.Headers.Add(Http.ApiKeyHeader, apiKey);
                    return await http.SendAsync(request, token).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return (null, $"{(int)response.StatusCode} {response.ReasonPhrase}");
            }

            var issued = await response.Content.ReadFromJsonAsync(
                ApiJson.Default.CloseTokenDto,
                cancellationToken).ConfigureAwait(false);
            return issued?.Token is { Length: > 0 } closeToken
                ? (closeToken, "issued")
                : (null, "the answer holds no token");
        }
        catch (Exception e) when (e is HttpRequestException
            or Polly.Timeout.TimeoutRejectedException
            or System.Text.Json.JsonException)
        {
            return (
                null,
                e is Polly.Timeout.TimeoutRejectedException
                    ? $"no answer within {attemptTimeout.TotalSeconds:0.#} s"
                    : e.Message);
        }
    }

    /// <summary>Closes every batch of <paramref name="ids"/> concurrently.</summary>
    public Task<ServerCloseResult[]> CloseAsync(IEnumerable<BatchId> ids, CancellationToken cancellationToken) =>
        Task.WhenAll(ids.Distinct().Select(id => CloseOneAsync(id, cancellationToken)));

    private async Task<ServerCloseResult> CloseOneAsync(BatchId id, CancellationToken cancellationToken)
    {
        var pipeline = Http.RetryPipeline(attemptTimeout, firstDelay: firstRetryDelay);
        try
        {
            using var response = await pipeline.ExecuteAsync(
                async token =>
                {
                    using var request = new HttpRequestMessage(HttpMethod.Delete, CloseUrl(id));
                    if (!string.IsNullOrEmpty(apiKey))
                    {
                        request.Headers.Add(Http.ApiKeyHeader, apiKey);
                    }
                    else if (CloseTokens.TryGetValue(id.Value, out var closeToken))
                    {
                        request.Headers.Add(CloseToken.Header, closeToken);
                    }

                    return await http.SendAsync(request, token).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
            var detail = $"{(int)response.StatusCode} {response.ReasonPhrase}";
            return response.StatusCode switch
            {
                _ when response.IsSuccessStatusCode => new ServerCloseResult(id, ServerCloseStatus.Closed, detail),
                HttpStatusCode.NotFound => new ServerCloseResult(id, ServerCloseStatus.Unknown, detail),
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new ServerCloseResult(
                    id,
                    ServerCloseStatus.Rejected,
                    detail),
                _ => new ServerCloseResult(id, ServerCloseStatus.Failed, detail),
            };
        }
        catch (Exception e) when (e is HttpRequestException or Polly.Timeout.TimeoutRejectedException)
        {
            // The message of an HttpRequestException names the host, never a header.
            return new ServerCloseResult(
                id,
                ServerCloseStatus.Failed,
                e is Polly.Timeout.TimeoutRejectedException
                    ? $"no answer within {attemptTimeout.TotalSeconds:0.#} s"
                    : e.Message);
        }
    }
}
