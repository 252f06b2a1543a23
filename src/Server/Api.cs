using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using BatchBuild.Core;
using BatchBuild.Core.Agents;
using BatchBuild.Core.Api;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Store;
using BatchBuild.Store;

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
        ReadinessProbe probe, Microsoft.Extensions.Options.IOptions<ServerOptions> options, ILogger<ServerOptions> log, CancellationToken cancellationToken)
    {
        try
        {
            await probe.RunAsync().WaitAsync(options.Value.ReadyTimeout, cancellationToken);
            return Results.Json(new Dictionary<string, string> { ["status"] = "ready" });
        }
        catch (Exception e) when (BatchServer.IsStoreFailure(e) || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            log.Report(Diagnostic.Warning(DiagnosticCodes.StoreUnavailable, $"not ready: the store takes no writes ({(e is OperationCanceledException or TimeoutException ? $"the write lock was not free within {options.Value.ReadyTimeout}" : e.Message)})"));
            return Problem(StatusCodes.Status503ServiceUnavailable, DiagnosticCodes.StoreUnavailable, "the store takes no writes right now; the server log says why");
        }
    }

    private static async Task<IResult> RecordAsync(HttpContext http, IBatchStore store, OutboxSignal outbox, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (request, problem) = await ReadAsync(http, ApiJson.Default.ResultsRequest, cancellationToken);
        if (request is null)
        {
            return problem!;
        }

        var (records, problems) = request.Validate();
        if (problems.Count > 0)
        {
            return Invalid(problems);
        }

        var batches = await store.RecordResultsAsync(records, cancellationToken);
        outbox.Wake();
        var now = clock.GetUtcNow();
        return Results.Json(new ResultsResponse([.. batches.Select(batch => BatchDto.From(batch, now))], records.Count), ApiJson.Default.ResultsResponse);
    }

    private static async Task<IResult> ListAsync(
        IBatchBrowser store, TimeProvider clock, string? state, string? name, DateTimeOffset? from, DateTimeOffset? to, int? page, int? pageSize, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        BatchState? wanted = null;
        if (state is { Length: > 0 })
        {
            // One of the names, exactly: Enum.TryParse would also take a number or "active, closed".
            if (Enum.GetValues<BatchState>().Where(value => value.ToString().Equals(state, StringComparison.OrdinalIgnoreCase)).ToList() is [var parsed])
            {
                wanted = parsed;
            }
            else
            {
                problems.Add("state: active or closed");
            }
        }

        problems.AddRange(PageProblems(page, pageSize, BatchListQuery.MaxPageSize));
        if (name is { Length: > ResultDto.MaxTextLength })
        {
            problems.Add($"name: at most {ResultDto.MaxTextLength} characters");
        }

        if (problems.Count > 0)
        {
            return Invalid(problems);
        }

        var result = await store.ListBatchesAsync(new BatchListQuery(wanted, name, from, to, page ?? 1, pageSize ?? BatchListQuery.DefaultPageSize), cancellationToken);
        var now = clock.GetUtcNow();
        return Results.Json(new BatchPageDto([.. result.Batches.Select(batch => BatchDto.From(batch, now))], result.Total, result.Page, result.PageSize), ApiJson.Default.BatchPageDto);
    }

    private static async Task<IResult> LatestAsync(HttpContext http, IBatchStore store, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (Parse(http, out var batchId) is { } invalid)
        {
            return invalid;
        }

        return await store.GetBatchAsync(batchId, cancellationToken) is { } batch
            ? Results.Json(BatchDto.From(batch, clock.GetUtcNow()), ApiJson.Default.BatchDto)
            : UnknownBatch(batchId.Value);
    }

    private static async Task<IResult> OneAsync(HttpContext http, int sequence, IBatchBrowser store, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (Parse(http, out var batchId) is { } invalid)
        {
            return invalid;
        }

        return await store.GetBatchAsync(batchId, sequence, cancellationToken) is { } batch
            ? Results.Json(BatchDto.From(batch, clock.GetUtcNow()), ApiJson.Default.BatchDto)
            : UnknownBatch($"{batchId.Value}#{sequence}");
    }

    private static async Task<IResult> ResultsAsync(HttpContext http, int sequence, int? page, int? pageSize, IBatchBrowser store, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (Parse(http, out var batchId) is { } invalid)
        {
            return invalid;
        }

        if (PageProblems(page, pageSize, BatchResultsPage.MaxPageSize) is { Count: > 0 } pageProblems)
        {
            return Invalid(pageProblems);
        }

        if (await store.GetBatchAsync(batchId, sequence, cancellationToken) is not { } batch)
        {
            return UnknownBatch($"{batchId.Value}#{sequence}");
        }

        var results = await store.GetResultsAsync(batchId, sequence, page ?? 1, pageSize ?? BatchResultsPage.DefaultPageSize, cancellationToken);
        return Results.Json(
            new BatchResultsDto(BatchDto.From(batch, clock.GetUtcNow()), [.. results.Results.Select(ResultDto.Listed)], results.Total, results.Page, results.PageSize),
            ApiJson.Default.BatchResultsDto);
    }

    private static async Task<IResult> TimelineAsync(HttpContext http, int sequence, int? page, int? pageSize, IBatchBrowser store, CancellationToken cancellationToken)
    {
        if (Parse(http, out var batchId) is { } invalid)
        {
            return invalid;
        }

        if (PageProblems(page, pageSize, TestBatchTimeline.MaxPageSize) is { Count: > 0 } pageProblems)
        {
            return Invalid(pageProblems);
        }

        if (await store.GetBatchAsync(batchId, sequence, cancellationToken) is null)
        {
            return UnknownBatch($"{batchId.Value}#{sequence}");
        }

        var timeline = await store.GetTimelineAsync(batchId, sequence, page ?? 1, pageSize ?? TestBatchTimeline.DefaultPageSize, cancellationToken);
        return Results.Json(
            new TimelineDto(batchId.Value, sequence, timeline.Spans, timeline.Total, timeline.Page, timeline.PageSize),
            ApiJson.Default.TimelineDto);
    }

    // The problems of a page and page size asked for, each naming its query parameter.
    private static List<string> PageProblems(int? page, int? pageSize, int maxPageSize)
    {
        var problems = new List<string>();
        if (page is < 1)
        {
            problems.Add("page: 1 or more");
        }

        if (pageSize < 1 || pageSize > maxPageSize)
        {
            problems.Add($"pageSize: 1 to {maxPageSize}");
        }

        return problems;
    }

    private static async Task<IResult> CloseAsync(HttpContext http, IBatchStore store, OutboxSignal outbox, TimeProvider clock, CancellationToken cancellationToken)
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
                new CloseResponse(result.Status == CloseStatus.Closed ? "closed" : "alreadyClosed", BatchDto.From(result.Batch!, clock.GetUtcNow())),
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
    private static async Task<IResult> EyesCloseAsync(HttpContext http, IBatchStore store, OutboxSignal outbox, CancellationToken cancellationToken)
    {
        if (!RawPath(http).EndsWith(ApiRoutes.EyesCloseSuffix, StringComparison.OrdinalIgnoreCase))
        {
            return Problem(StatusCodes.Status404NotFound, DiagnosticCodes.NoSuchRoute, $"the visual-testing close is DELETE {ApiRoutes.EyesClosePrefix}{{id}}{ApiRoutes.EyesCloseSuffix}");
        }

        if (Parse(http, out var batchId) is { } invalid)
        {
            return invalid;
        }

        var result = await store.CloseBatchAsync(batchId, cancellationToken);
        outbox.Wake();
        return result.Status == CloseStatus.Unknown ? UnknownBatch(batchId.Value) : Results.Ok();
    }

    private static async Task<IResult> DurationsAsync(HttpContext http, IBatchStore store, CancellationToken cancellationToken)
    {
        var (request, problem) = await ReadAsync(http, ApiJson.Default.DurationsRequest, cancellationToken);
        if (request is null)
        {
            return problem!;
        }

        var (query, problems) = request.Validate();
        if (query is null)
        {
            return Invalid(problems);
        }

        var durations = await store.GetDurationsAsync(query, cancellationToken);
        return Results.Json(new DurationsResponse([.. durations.Select(DurationDto.From)]), ApiJson.Default.DurationsResponse);
    }

    private static async Task<IResult> TestRunsAsync(IBatchBrowser store, string? assembly, string? name, int? limit, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(assembly))
        {
            problems.Add("assembly: required, the test's assembly name");
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            problems.Add("name: required, the test's fully qualified name");
        }

        if (limit is < 1 or > TestRunsDto.MaxLimit)
        {
            problems.Add($"limit: 1 to {TestRunsDto.MaxLimit}");
        }

        if (problems.Count > 0)
        {
            return Invalid(problems);
        }

        var runs = await store.GetTestRunsAsync(new TestKey(assembly!, name!), limit ?? TestRunsDto.DefaultLimit, cancellationToken);
        return Results.Json(new TestRunsDto(assembly!, name!, [.. runs.Select(ResultDto.From)]), ApiJson.Default.TestRunsDto);
    }

    // An agent's plan of an assembly's tests joins the batch's queue for that assembly; the
    // answer is a summary of the queue's plan, which agents read page by page (PlanAsync): agents
    // that split statically share it too. A registration past the queues' limits is refused.
    private static async Task<IResult> RegisterAsync(HttpContext http, AgentQueues queues, CancellationToken cancellationToken)
    {
        var (batchId, request, problem) = await ReadForBatchAsync(http, ApiJson.Default.QueueRegistration, cancellationToken);
        if (request is null)
        {
            return problem!;
        }

        var (plan, problems) = request.Validate();
        if (plan is null)
        {
            return Invalid(problems);
        }

        var assembly = StoredText.Clean(request.Assembly!);
        var (summary, refusal) = queues.Register(batchId, assembly, StoredText.Clean(request.Agent!), plan);
        return summary is not null
            ? Results.Json(summary, ApiJson.Default.QueueSummaryDto)
            : Problem(StatusCodes.Status413PayloadTooLarge, refusal!.Code!, refusal.Message);
    }

    private static async Task<IResult> PlanAsync(HttpContext http, AgentQueues queues, CancellationToken cancellationToken)
    {
        var (batchId, request, problem) = await ReadForBatchAsync(http, ApiJson.Default.QueuePlanRequest, cancellationToken);
        if (request is null)
        {
            return problem!;
        }

        if (request.Validate() is { Count: > 0 } problems)
        {
            return Invalid(problems);
        }

        return queues.Plan(batchId, StoredText.Clean(request.Assembly!), request.From) is { } page
            ? Results.Json(page, ApiJson.Default.QueuePlanPageDto)
            : Problem(StatusCodes.Status404NotFound, DiagnosticCodes.UnknownBatch, $"batch {batchId.Value} has no agent queue for {request.Assembly} on this server: register the assembly's tests with POST {ApiRoutes.Queue} first (the server may have restarted)");
    }

    private static async Task<IResult> LeaseAsync(HttpContext http, AgentQueues queues, CancellationToken cancellationToken)
    {
        var (batchId, request, problem) = await ReadForBatchAsync(http, ApiJson.Default.LeaseRequest, cancellationToken);
        if (request is null)
        {
            return problem!;
        }

        if (request.Validate() is { Count: > 0 } problems)
        {
            return Invalid(problems);
        }

        return queues.Lease(batchId, StoredText.Clean(request.Assembly!), StoredText.Clean(request.Agent!)) switch
        {
            LeaseReply.Granted granted => Results.Json(
                new LeaseResponse(LeaseResponse.Leased, granted.Lease, granted.Batch, queues.LeaseTimeout.TotalMilliseconds / 3, null), ApiJson.Default.LeaseResponse),
            LeaseReply.Wait wait => Results.Json(new LeaseResponse(LeaseResponse.Waiting, null, null, null, wait.RetryAfter.TotalMilliseconds), ApiJson.Default.LeaseResponse),
            LeaseReply.Finished => Results.Json(new LeaseResponse(LeaseResponse.Done, null, null, null, null), ApiJson.Default.LeaseResponse),
            _ => Problem(StatusCodes.Status409Conflict, DiagnosticCodes.AgentNotRegistered, $"agent '{request.Agent}' has not registered the tests of {request.Assembly} with batch {batchId.Value}'s queue; POST them to {ApiRoutes.Queue} first (the server may have restarted)"),
        };
    }

    private static Task<IResult> HeartbeatAsync(HttpContext http, string lease, AgentQueues queues, CancellationToken cancellationToken) =>
        WithLeaseAsync(http, lease, cancellationToken, (batchId, agent) => queues.Heartbeat(batchId, lease, agent) is { } renewed
            ? Results.Json(new LeaseResponse(LeaseResponse.Leased, renewed, null, queues.LeaseTimeout.TotalMilliseconds / 3, null), ApiJson.Default.LeaseResponse)
            : LeaseLost(lease));

    private static Task<IResult> CompleteAsync(HttpContext http, string lease, AgentQueues queues, CancellationToken cancellationToken) =>
        WithLeaseAsync(http, lease, cancellationToken, (batchId, agent) => queues.Complete(batchId, lease, agent) is var status and not CompletionStatus.Unknown
            ? Results.Json(new LeaseCompletion(status), ApiJson.Default.LeaseCompletion)
            : LeaseLost(lease));

    private static IResult LeasesAsync(HttpContext http, int? page, int? pageSize, AgentQueues queues)
    {
        if (Parse(http, out var batchId) is { } invalid)
        {
            return invalid;
        }

        if (PageProblems(page, pageSize, LeasesDto.MaxPageSize) is { Count: > 0 } pageProblems)
        {
            return Invalid(pageProblems);
        }

        var (number, size) = (page ?? 1, pageSize ?? LeasesDto.DefaultPageSize);
        return queues.Leases(batchId, number, size) is { } leases
            ? Results.Json(new LeasesDto(batchId.Value, leases.Page, leases.Total, number, size), ApiJson.Default.LeasesDto)
            : Problem(StatusCodes.Status404NotFound, DiagnosticCodes.UnknownBatch, $"batch {batchId.Value} has no agent queue on this server: no agent registered tests with it since the server started");
    }

    private static async Task<IResult> WithLeaseAsync(HttpContext http, string lease, CancellationToken cancellationToken, Func<BatchId, string, IResult> action)
    {
        var (batchId, request, problem) = await ReadForBatchAsync(http, ApiJson.Default.LeaseAgent, cancellationToken);
        if (request is null)
        {
            return problem!;
        }

        return request.Validate() is { Count: > 0 } problems
            ? Invalid(problems)
            : action(batchId, request.Agent!);
    }

    private static IResult LeaseLost(string lease) =>
        Problem(StatusCodes.Status409Conflict, DiagnosticCodes.LeaseLost, $"lease '{lease}' is not this agent's running lease: it expired and another agent may have taken its test batch over, or it never was");

    // The route's batch ID and the JSON body, or the problem with either.
    private static async Task<(BatchId BatchId, T? Value, IResult? Problem)> ReadForBatchAsync<T>(HttpContext http, JsonTypeInfo<T> type, CancellationToken cancellationToken)
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
    private static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpContext http, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class
    {
        if (http.Request.ContentType is not { } contentType || !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, Problem(StatusCodes.Status415UnsupportedMediaType, DiagnosticCodes.InvalidRequest, "send the body as JSON with Content-Type: application/json"));
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
                ? "a value of the wrong type (outcome is passed, failed, skipped or none; times are ISO-8601 with an offset; counts and durations are numbers)"
                : e.Message.Split(" Path:", 2)[0];
            return (null, Invalid([$"the body is not valid JSON for this request at {e.Path ?? "$"} (line {e.LineNumber + 1}): {reason}"]));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, Problem(StatusCodes.Status413PayloadTooLarge, DiagnosticCodes.RequestTooLarge, $"the body is larger than the server accepts; send at most {ResultsRequest.MaxResults} results per request, or raise BatchBuild:MaxRequestBytes"));
        }
    }

    // The batch ID of a route, or the problem that says why it is not one.
    private static IResult? Parse(HttpContext http, out BatchId batchId)
    {
        if (HasDotSegment(RawPath(http)))
        {
            batchId = default;
            return Invalid(["the path has a '.' or '..' segment, which the server resolves before routing but the batch ID is read from as sent; send the path without them, the batch ID percent-encoded"]);
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

        if (path.StartsWith(ApiRoutes.EyesClosePrefix, StringComparison.OrdinalIgnoreCase) && path.EndsWith(ApiRoutes.EyesCloseSuffix, StringComparison.OrdinalIgnoreCase))
        {
            return Uri.UnescapeDataString(path[ApiRoutes.EyesClosePrefix.Length..^ApiRoutes.EyesCloseSuffix.Length]);
        }

        var segments = path.Split('/');
        return segments.Length > 4 ? Uri.UnescapeDataString(segments[4]) : http.Request.RouteValues["id"] as string ?? string.Empty;
    }

    // The request's path as the client sent it, still percent-encoded, without the query.
    private static string RawPath(HttpContext http)
    {
        var target = http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget ?? string.Empty;
        if (!target.StartsWith('/') && target.IndexOf("://", StringComparison.Ordinal) is var scheme and >= 0)
        {
            // An absolute-form target, as sent to a proxy: the path starts after the authority.
            var slash = target.IndexOf('/', scheme + 3);
            target = slash < 0 ? "/" : target[slash..];
        }

        return target.Split('?', 2)[0];
    }

    private static IResult Invalid(IReadOnlyList<string> problems) =>
        Problem(StatusCodes.Status400BadRequest, DiagnosticCodes.InvalidRequest, string.Join("; ", problems), problems);

    private static IResult UnknownBatch(string name) =>
        Problem(StatusCodes.Status404NotFound, DiagnosticCodes.UnknownBatch, $"no batch {name}: no result was reported with this ID; check the batch ID");

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

/// <summary>What an endpoint does with the data.</summary>
internal enum Access
{
    Read,
    Write,
}

/// <summary>
/// Lets a request through only with an accepted API key from the <c>X-BatchBuild-Api-Key</c>
/// header. On the visual-testing close route the key may also come in the <c>x-eyes-api-key</c>
/// header or, from old clients, the <c>apiKey</c> query parameter (taken out of the URL before
/// anything logs it: <see cref="QueryKeyRedaction"/>); on both close routes a
/// <see cref="CloseToken"/> the server issued for the route's batch ID will do instead of a key. Reads pass without a
/// key when the server opens them.
/// </summary>
internal sealed class KeyFilter(Access access, bool eyes = false, bool closes = false) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var keys = http.RequestServices.GetRequiredService<ApiKeys>();
        var options = http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<ServerOptions>>().Value;
        if (keys.AllowAnonymous || (access == Access.Read && options.OpenReads))
        {
            return await next(context);
        }

        var presented = http.Request.Headers[Api.KeyHeader].FirstOrDefault();
        if (eyes)
        {
            presented ??= http.Request.Headers["x-eyes-api-key"].FirstOrDefault() ?? http.Features.Get<QueryApiKey>()?.Key;
        }

        if (keys.Accepts(presented))
        {
            return await next(context);
        }

        var token = closes ? http.Request.Headers[CloseToken.Header].FirstOrDefault() : null;
        if (token is not null
            && BatchId.TryCreate(Api.RouteId(http), out var id, out _)
            && http.RequestServices.GetRequiredService<CloseTokenIssuer>().Accepts(token, id))
        {
            return await next(context);
        }

        return Api.Problem(
            StatusCodes.Status401Unauthorized,
            DiagnosticCodes.Unauthorized,
            (presented, token) switch
            {
                (null, null) => $"no API key; send it in the {Api.KeyHeader} header (BatchBuildApiKey)",
                (null, _) when CloseToken.IsRetired(token) => "the close token has the form of BatchBuild before close tokens were issued by the server (bbc1.), which no server accepts any more; close with the API key",
                (null, _) => "the close token is not accepted: another server issued it, it is for another batch ID, or it has expired; close with the API key",
                _ => "the API key is not accepted; check BatchBuildApiKey against the server's BatchBuild:ApiKeyHashes",
            });
    }
}
