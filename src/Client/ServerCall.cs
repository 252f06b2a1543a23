using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace BatchBuild.Client;

/// <summary>One call to the batch server's API, with the key, retrying what is transient.</summary>
internal static class ServerCall
{
    /// <summary>
    /// Posts <paramref name="body"/> as JSON to <paramref name="path"/>; the answer, or why there
    /// is none and the final status when the server gave one.
    /// </summary>
    public static async Task<(TResponse? Value, string Problem, HttpStatusCode? Status)> PostAsync<TRequest, TResponse>(
        HttpClient http,
        Uri server,
        string? apiKey,
        string path,
        TRequest body,
        JsonTypeInfo<TRequest> requestType,
        JsonTypeInfo<TResponse> responseType,
        TimeSpan attemptTimeout,
        TimeSpan firstRetryDelay,
        CancellationToken cancellationToken,
        int retries = 3)
        where TResponse : class
    {
        var url = new Uri(new Uri(server.AbsoluteUri.TrimEnd('/') + "/"), path);
        try
        {
            using var response = await Http.RetryPipeline(attemptTimeout, retries, firstRetryDelay).ExecuteAsync(
                async token =>
                {
                    using var request = new HttpRequestMessage(
                        HttpMethod.Post,
                        url)
                    { Content = JsonContent.Create(body, requestType) };
                    if (!string.IsNullOrEmpty(apiKey))
                    {
                        request.Headers.Add(Http.ApiKeyHeader, apiKey);
                    }

                    return await http.SendAsync(request, token).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return (
                    null,
                    await DescribeAsync(response, cancellationToken).ConfigureAwait(false),
                    response.StatusCode);
            }

            return await response.Content.ReadFromJsonAsync(
                responseType,
                cancellationToken).ConfigureAwait(false) is { } value
                ? (value, string.Empty, response.StatusCode)
                : (null, "the server answered with an empty body", response.StatusCode);
        }
        catch (Exception e) when (e is HttpRequestException or Polly.Timeout.TimeoutRejectedException or JsonException)
        {
            return (
                null,
                e is Polly.Timeout.TimeoutRejectedException
                    ? $"no answer within {attemptTimeout.TotalSeconds:0.#} s"
                    : e.Message,
                null);
        }
    }

    private static async Task<string> DescribeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = $"{(int)response.StatusCode} {response.ReasonPhrase}";
        try
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            using var problem = JsonDocument.Parse(body);
            return problem.RootElement.TryGetProperty(
                "detail",
                out var detail) ? $"{status}: {detail.GetString()}" : status;
        }
        catch (JsonException)
        {
            return status;
        }
    }
}
