using BatchBuild.Core;
using BatchBuild.Core.Api;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Store;

namespace BatchBuild.Server;

/// <summary>
/// What became of the completion notifications, per batch and webhook: pending (with its next
/// try), delivered, or given up (with the last error). Reading needs a read key, as the batches do.
/// </summary>
internal static class NotificationApi
{
    public static void MapNotificationApi(this WebApplication app)
    {
        app.MapGet(ApiRoutes.Notifications, ListAsync).AddEndpointFilter(new KeyFilter(Access.Read));
        app.MapGet(ApiRoutes.BatchNotifications, OfBatchAsync).AddEndpointFilter(new KeyFilter(Access.Read));
    }

    private static async Task<IResult> ListAsync(
        INotificationOutbox outbox,
        string? state,
        int? page,
        int? pageSize,
        CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        DeliveryState? wanted = null;
        if (state is { Length: > 0 })
        {
            if (Enum.TryParse<DeliveryState>(
                state,
                ignoreCase: true,
                out var parsed) && Enum.IsDefined(parsed) && !char.IsDigit(state[0]))
            {
                wanted = parsed;
            }
            else
            {
                problems.Add("state: pending, delivered or givenUp");
            }
        }

        if (page is < 1)
        {
            problems.Add("page: 1 or more");
        }

        if (pageSize is < 1 or > DeliveryPage.MaxPageSize)
        {
            problems.Add($"pageSize: 1 to {DeliveryPage.MaxPageSize}");
        }

        if (problems.Count > 0)
        {
            return Api.Problem(
                StatusCodes.Status400BadRequest,
                DiagnosticCodes.InvalidRequest,
                string.Join("; ", problems),
                problems);
        }

        var deliveries = await outbox.ListDeliveriesAsync(
            wanted,
            page ?? 1,
            pageSize ?? DeliveryPage.DefaultPageSize,
            cancellationToken);
        return Results.Json(deliveries, ApiJson.Default.DeliveryPage);
    }

    private static async Task<IResult> OfBatchAsync(
        HttpContext http,
        int sequence,
        IBatchBrowser batches,
        INotificationOutbox outbox,
        CancellationToken cancellationToken)
    {
        if (!BatchId.TryCreate(Api.RouteId(http), out var id, out var problem))
        {
            return Api.Problem(
                StatusCodes.Status400BadRequest,
                DiagnosticCodes.InvalidRequest,
                $"id: {problem}",
                [$"id: {problem}"]);
        }

        if (await batches.GetBatchAsync(id, sequence, cancellationToken) is null)
        {
            return Api.Problem(
                StatusCodes.Status404NotFound,
                DiagnosticCodes.UnknownBatch,
                $"no batch {id.Value}#{sequence}: no result was reported with this ID; check the batch ID");
        }

        var deliveries = await outbox.GetDeliveriesAsync(id, sequence, cancellationToken);
        return Results.Json(new NotificationsDto(id.Value, sequence, deliveries), ApiJson.Default.NotificationsDto);
    }
}
