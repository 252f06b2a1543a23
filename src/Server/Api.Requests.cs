using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using BatchBuild.Core;
using BatchBuild.Core.Api;
using BatchBuild.Core.Batches;

namespace BatchBuild.Server;

/// <summary>How a request is read: its batch ID from the path as sent, and its JSON body.</summary>
internal static partial class Api
{
    // The route's batch ID and the JSON body, or the problem with either.
    private static async Task<(BatchId BatchId, T? Value, IResult? Problem)> ReadForBatchAsync<T>(
        HttpContext http,
        JsonTypeInfo<T> type,
        CancellationToken cancellationToken)
        where T : class
    {
        if (Parse(http, out var batchId) is { } invalid)
        {
            return (batchId, null, invalid);
        }

        var (value, problem) = await ReadAsync(http, type, cancellationToken);
        return (batchId, value, problem);
    }

    // Reads a JSON body; a body that is not JSON, not the expected shape, or too large is a problem.
    private static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(
        HttpContext http,
        JsonTypeInfo<T> type,
        CancellationToken cancellationToken)
        where T : class
    {
        if (http.Request.ContentType is not { } contentType || !contentType.StartsWith(
            "application/json",
            StringComparison.OrdinalIgnoreCase))
        {
            return (
                null,
                Problem(
                    StatusCodes.Status415UnsupportedMediaType,
                    DiagnosticCodes.InvalidRequest,
                    "send the body as JSON with Content-Type: application/json"));
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync(http.Request.Body, type, cancellationToken);
            return value is null ? (null, Invalid(["the body is empty or null; send a JSON object"])) : (value, null);
        }
        catch (JsonException e)
        {
            // The serializer's own message names internal types for a value of the wrong type; say what fits instead.
            var reason = e.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal)
                ? "a value of the wrong type (outcome is passed, failed, skipped or none; times are ISO-8601 with an "
                + "offset; counts and durations are numbers)"
                : e.Message.Split(" Path:", 2)[0];
            return (
                null,
                Invalid(
                    [
                        $"the body is not valid JSON for this request at {e.Path ?? "$"} "
                        + $"(line {e.LineNumber + 1}): {reason}",
                    ]));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (
                null,
                Problem(
                    StatusCodes.Status413PayloadTooLarge,
                    DiagnosticCodes.RequestTooLarge,
                    $"the body is larger than the server accepts; send at most {ResultsRequest.MaxResults} results per "
                    + "request, or raise BatchBuild:MaxRequestBytes"));
        }
    }

    // The batch ID of a route, or the problem that says why it is not one.
    private static IResult? Parse(HttpContext http, out BatchId batchId)
    {
        if (HasDotSegment(RawPath(http)))
        {
            batchId = default;
            return Invalid(
                [
                    "the path has a '.' or '..' segment, which the server resolves before routing but the batch ID "
                    + "is read from as sent; send the path without them, the batch ID percent-encoded",
                ]);
        }

        return BatchId.TryCreate(RouteId(http), out batchId, out var problem) ? null : Invalid([$"id: {problem}"]);
    }

    // Kestrel removes dot segments before routing (/batches/x/../y/close routes as /batches/y/close),
    // while the batch ID is read from the path as sent: such a path names two batches, so it names none.
    private static bool HasDotSegment(string rawPath) =>
        rawPath.Split('/').Any(segment => Uri.UnescapeDataString(segment) is "." or "..");

    /// <summary>
    /// The batch ID of a route (<c>/api/v1/batches/{id}…</c>, <c>/api/sessions/batches/{id}/close/bypointerid</c>):
    /// its path segment as the client sent it, percent-decoded exactly once. Kestrel's own decoding
    /// keeps <c>%2F</c> encoded and decodes everything else, so an ID with <c>/</c> or a literal
    /// <c>%2F</c> would come out wrong from the route value. On the visual-testing close route the
    /// ID is everything between the prefix and the suffix, because the Eyes SDKs send a <c>/</c> in
    /// an ID unencoded. A path with a <c>.</c> or <c>..</c> segment has no batch ID: empty.
    /// </summary>
    internal static string RouteId(HttpContext http)
    {
        var path = RawPath(http);
        if (HasDotSegment(path))
        {
            return string.Empty;
        }

        if (path.StartsWith(
            ApiRoutes.EyesClosePrefix,
            StringComparison.OrdinalIgnoreCase) && path.EndsWith(
                ApiRoutes.EyesCloseSuffix,
                StringComparison.OrdinalIgnoreCase))
        {
            return Uri.UnescapeDataString(path[ApiRoutes.EyesClosePrefix.Length..^ApiRoutes.EyesCloseSuffix.Length]);
        }

        var segments = path.Split('/');
        return segments.Length > 4
            ? Uri.UnescapeDataString(segments[4])
            : http.Request.RouteValues["id"] as string ?? string.Empty;
    }

    // The request's path as the client sent it, still percent-encoded, without the query.
    private static string RawPath(HttpContext http)
    {
        var target = http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget
            ?? string.Empty;
        if (!target.StartsWith('/') && target.IndexOf("://", StringComparison.Ordinal) is var scheme and >= 0)
        {
            // An absolute-form target, as sent to a proxy: the path starts after the authority.
            var slash = target.IndexOf('/', scheme + 3);
            target = slash < 0 ? "/" : target[slash..];
        }

        return target.Split('?', 2)[0];
    }
}
