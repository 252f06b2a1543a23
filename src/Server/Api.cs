using BatchBuild.Core;
using BatchBuild.Core.Api;

namespace BatchBuild.Server;

/// <summary>
/// The HTTP API, versioned under <c>/api/v1</c>, plus the close route that visual-testing
/// batch-close clients send. Every input is validated; every error is a problem document with a
/// <c>code</c> (BBnnnn) and a detail that says what to fix.
/// </summary>
internal static partial class Api
{
    /// <summary>The header that carries the API key: the one BatchBuild's clients send it in.</summary>
    public const string KeyHeader = BatchBuild.Client.Http.ApiKeyHeader;

    public static void MapBatchBuildApi(this WebApplication app)
    {
        app.MapGet(ApiRoutes.Health, () => Results.Json(new Dictionary<string, string> { ["status"] = "healthy" }));
        app.MapGet(ApiRoutes.Ready, ReadyAsync);

        app.MapPost(ApiRoutes.Results, RecordAsync).AddEndpointFilter(new KeyFilter(Access.Write));
        app.MapGet(ApiRoutes.Batches, ListAsync).AddEndpointFilter(new KeyFilter(Access.Read));
        app.MapGet(ApiRoutes.Batch, LatestAsync).AddEndpointFilter(new KeyFilter(Access.Read));
        app.MapGet(ApiRoutes.BatchSequence, OneAsync).AddEndpointFilter(new KeyFilter(Access.Read));
        app.MapGet(ApiRoutes.BatchResults, ResultsAsync).AddEndpointFilter(new KeyFilter(Access.Read));
        app.MapGet(ApiRoutes.BatchTimeline, TimelineAsync).AddEndpointFilter(new KeyFilter(Access.Read));
        app.MapPost(ApiRoutes.Close, CloseAsync).AddEndpointFilter(new KeyFilter(Access.Write, closes: true));
        app.MapPost(ApiRoutes.CloseToken, IssueCloseToken).AddEndpointFilter(new KeyFilter(Access.Write));
        app.MapPost(ApiRoutes.Durations, DurationsAsync).AddEndpointFilter(new KeyFilter(Access.Read));
        app.MapPost(ApiRoutes.StartCosts, RecordStartCostsAsync).AddEndpointFilter(new KeyFilter(Access.Write));
        app.MapPost(ApiRoutes.StartCostsQuery, StartCostsAsync).AddEndpointFilter(new KeyFilter(Access.Read));
        app.MapGet(ApiRoutes.TestRuns, TestRunsAsync).AddEndpointFilter(new KeyFilter(Access.Read));
        app.MapPost(ApiRoutes.Queue, RegisterAsync).AddEndpointFilter(new KeyFilter(Access.Write));
        app.MapPost(ApiRoutes.QueuePlan, PlanAsync).AddEndpointFilter(new KeyFilter(Access.Read));
        app.MapPost(ApiRoutes.Leases, LeaseAsync).AddEndpointFilter(new KeyFilter(Access.Write));
        app.MapPost(ApiRoutes.LeaseHeartbeat, HeartbeatAsync).AddEndpointFilter(new KeyFilter(Access.Write));
        app.MapPost(ApiRoutes.LeaseComplete, CompleteAsync).AddEndpointFilter(new KeyFilter(Access.Write));
        app.MapGet(ApiRoutes.Leases, LeasesAsync).AddEndpointFilter(new KeyFilter(Access.Read));
        app.MapPost(ApiRoutes.Rerun, RerunAsync).AddEndpointFilter(new KeyFilter(Access.Write));

        // .../bypointerid or .../bypointerId, as the current Eyes SDKs send it. The ID may span
        // several segments: the Eyes SDKs do not encode a '/' in it.
        app.MapDelete(ApiRoutes.EyesClose, EyesCloseAsync)
            .AddEndpointFilter(new KeyFilter(Access.Write, eyes: true, closes: true));
    }

    // Ready means the store takes writes now: the probe takes the write lock within ReadyTimeout
    // and writes nothing (see ReadinessProbe), so an unauthenticated caller changes nothing. Why
    // it failed goes to the log only: the database's host and port are nobody else's business.
    private static async Task<IResult> ReadyAsync(
        ReadinessProbe probe,
        Microsoft.Extensions.Options.IOptions<ServerOptions> options,
        ILogger<ServerOptions> log,
        CancellationToken cancellationToken)
    {
        try
        {
            await probe.RunAsync().WaitAsync(options.Value.ReadyTimeout, cancellationToken);
            return Results.Json(new Dictionary<string, string> { ["status"] = "ready" });
        }
        catch (Exception e) when (BatchServer.IsStoreFailure(e)
            || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            log.Report(Diagnostic.Warning(
                DiagnosticCodes.StoreUnavailable,
                "not ready: the store takes no writes "
                + $"({(e is OperationCanceledException or TimeoutException
                    ? $"the write lock was not free within {options.Value.ReadyTimeout}"
                    : e.Message)})"));
            return Problem(
                StatusCodes.Status503ServiceUnavailable,
                DiagnosticCodes.StoreUnavailable,
                "the store takes no writes right now; the server log says why");
        }
    }

    private static IResult Invalid(IReadOnlyList<string> problems) =>
        Problem(StatusCodes.Status400BadRequest, DiagnosticCodes.InvalidRequest, string.Join("; ", problems), problems);

    private static IResult UnknownBatch(string name) =>
        Problem(
            StatusCodes.Status404NotFound,
            DiagnosticCodes.UnknownBatch,
            $"no batch {name}: no result was reported with this ID; check the batch ID");

    /// <summary>A problem document with the BB code as <c>code</c>.</summary>
    public static IResult Problem(int status, string code, string detail, IReadOnlyList<string>? errors = null)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = code };
        if (errors is not null)
        {
            extensions["errors"] = errors;
        }

        return Results.Problem(detail: $"{code}: {detail}", statusCode: status, extensions: extensions);
    }
}
