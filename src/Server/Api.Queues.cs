using BatchBuild.Core;
using BatchBuild.Core.Agents;
using BatchBuild.Core.Api;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Store;

namespace BatchBuild.Server;

/// <summary>The routes of the agent queues: register a plan, read it, lease, renew and complete test batches.</summary>
internal static partial class Api
{
    // An agent's plan of an assembly's tests joins the batch's queue for that assembly; the
    // answer is a summary of the queue's plan, which agents read page by page (PlanAsync): agents
    // that split statically share it too. A registration past the queues' limits is refused.
    private static async Task<IResult> RegisterAsync(
        HttpContext http,
        AgentQueues queues,
        CancellationToken cancellationToken)
    {
        var (batchId, request, problem) = await ReadForBatchAsync(
            http,
            ApiJson.Default.QueueRegistration,
            cancellationToken);
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

    private static async Task<IResult> PlanAsync(
        HttpContext http,
        AgentQueues queues,
        CancellationToken cancellationToken)
    {
        var (batchId, request, problem) = await ReadForBatchAsync(
            http,
            ApiJson.Default.QueuePlanRequest,
            cancellationToken);
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
            : Problem(
                StatusCodes.Status404NotFound,
                DiagnosticCodes.UnknownBatch,
                $"batch {batchId.Value} has no agent queue for {request.Assembly} on this server: register the "
                + $"assembly's tests with POST {ApiRoutes.Queue} first (the server may have restarted)");
    }

    private static async Task<IResult> LeaseAsync(
        HttpContext http,
        AgentQueues queues,
        CancellationToken cancellationToken)
    {
        var (batchId, request, problem) = await ReadForBatchAsync(
            http,
            ApiJson.Default.LeaseRequest,
            cancellationToken);
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
                new LeaseResponse(
                    LeaseResponse.Leased,
                    granted.Lease,
                    granted.Batch,
                    queues.LeaseTimeout.TotalMilliseconds / 3,
                    null),
                ApiJson.Default.LeaseResponse),
            LeaseReply.Wait wait => Results.Json(
                new LeaseResponse(LeaseResponse.Waiting, null, null, null, wait.RetryAfter.TotalMilliseconds),
                ApiJson.Default.LeaseResponse),
            LeaseReply.Finished => Results.Json(
                new LeaseResponse(LeaseResponse.Done, null, null, null, null),
                ApiJson.Default.LeaseResponse),
            _ => Problem(
                StatusCodes.Status409Conflict,
                DiagnosticCodes.AgentNotRegistered,
                $"agent '{request.Agent}' has not registered the tests of {request.Assembly} with batch "
                + $"{batchId.Value}'s queue; POST them to {ApiRoutes.Queue} first (the server may have restarted)"),
        };
    }

    private static Task<IResult> HeartbeatAsync(
        HttpContext http,
        string lease,
        AgentQueues queues,
        CancellationToken cancellationToken) =>
        WithLeaseAsync(
            http,
            cancellationToken,
            (batchId, agent) => queues.Heartbeat(batchId, lease, agent) is { } renewed
            ? Results.Json(
                new LeaseResponse(LeaseResponse.Leased, renewed, null, queues.LeaseTimeout.TotalMilliseconds / 3, null),
                ApiJson.Default.LeaseResponse)
            : LeaseLost(lease));

    private static Task<IResult> CompleteAsync(
        HttpContext http,
        string lease,
        AgentQueues queues,
        CancellationToken cancellationToken) =>
        WithLeaseAsync(
            http,
            cancellationToken,
            (batchId, agent) => queues.Complete(batchId, lease, agent) is var status and not CompletionStatus.Unknown
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
            ? Results.Json(
                new LeasesDto(batchId.Value, leases.Page, leases.Total, number, size),
                ApiJson.Default.LeasesDto)
            : Problem(
                StatusCodes.Status404NotFound,
                DiagnosticCodes.UnknownBatch,
                $"batch {batchId.Value} has no agent queue on this server: no agent registered tests with it since the "
                + "server started");
    }

    private static async Task<IResult> WithLeaseAsync(
        HttpContext http,
        CancellationToken cancellationToken,
        Func<BatchId, string, IResult> action)
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
        Problem(
            StatusCodes.Status409Conflict,
            DiagnosticCodes.LeaseLost,
            $"lease '{lease}' is not this agent's running lease: it expired and another agent may have taken its test "
            + "batch over, or it never was");
}
