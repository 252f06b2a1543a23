using BatchBuild.Core;
using BatchBuild.Core.Api;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Store;

namespace BatchBuild.Server;

/// <summary>The routes that close a batch, the visual-testing close among them, and issue close tokens.</summary>
internal static partial class Api
{
    private static async Task<IResult> CloseAsync(
        HttpContext http,
        IBatchStore store,
        OutboxSignal outbox,
        TimeProvider clock,
        CancellationToken cancellationToken)
    {
        if (Parse(http, out var batchId) is { } invalid)
        {
            return invalid;
        }

        var result = await store.CloseBatchAsync(batchId, cancellationToken);
        outbox.Wake();
        return result.Status == CloseStatus.Unknown
            ? UnknownBatch(batchId.Value)
            : Results.Json(
                new CloseResponse(
                    result.Status == CloseStatus.Closed ? "closed" : "alreadyClosed",
                    BatchDto.From(result.Batch!, clock.GetUtcNow())),
                ApiJson.Default.CloseResponse);
    }

    // A token for the close request a test project writes to disk, which must hold no key. The
    // batch need not exist yet: a project asks before its first result.
    private static IResult IssueCloseToken(HttpContext http, CloseTokenIssuer tokens)
    {
        if (Parse(http, out var batchId) is { } invalid)
        {
            return invalid;
        }

        var (token, expires) = tokens.Issue(batchId);
        return Results.Json(new CloseTokenDto(token, expires), ApiJson.Default.CloseTokenDto);
    }

    // The visual-testing close: 200 when the batch is (now, or already) closed, 404 when unknown.
    private static async Task<IResult> EyesCloseAsync(
        HttpContext http,
        IBatchStore store,
        OutboxSignal outbox,
        CancellationToken cancellationToken)
    {
        if (!RawPath(http).EndsWith(ApiRoutes.EyesCloseSuffix, StringComparison.OrdinalIgnoreCase))
        {
            return Problem(
                StatusCodes.Status404NotFound,
                DiagnosticCodes.NoSuchRoute,
                $"the visual-testing close is DELETE {ApiRoutes.EyesClosePrefix}{{id}}{ApiRoutes.EyesCloseSuffix}");
        }

        if (Parse(http, out var batchId) is { } invalid)
        {
            return invalid;
        }

        var result = await store.CloseBatchAsync(batchId, cancellationToken);
        outbox.Wake();
        return result.Status == CloseStatus.Unknown ? UnknownBatch(batchId.Value) : Results.Ok();
    }
}
