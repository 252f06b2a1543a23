using BatchBuild.Core.Api;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Store;

namespace BatchBuild.Server;

/// <summary>The route a re-run of a CI job calls before its first result, to join its run's batch.</summary>
internal static partial class Api
{
    // The store decides whether the re-run re-opens the run's batch or starts a new one; the
    // queues follow: a re-opened batch's queues hold again what is not finished, a new batch
    // starts with new ones. One re-run at a time on this server, so that no agent of the attempt
    // registers with a queue before it is opened again.
    private static readonly SemaphoreSlim RerunTurn = new(1, 1);

    private static async Task<IResult> RerunAsync(
        HttpContext http,
        IBatchStore store,
        AgentQueues queues,
        TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var (batchId, request, problem) = await ReadForBatchAsync(
            http,
            ApiJson.Default.RerunRequest,
            cancellationToken);
        if (request is null)
        {
            return problem!;
        }

        var (rerun, problems) = request.Validate();
        if (rerun is null)
        {
            return Invalid(problems);
        }

        await RerunTurn.WaitAsync(cancellationToken);
        try
        {
            var result = (await store.JoinRerunAsync(batchId, rerun, cancellationToken))!;
            if (result.Status == RerunStatus.Started)
            {
                queues.Forget(batchId);
            }
            else if (result.Batch.Rerun)
            {
                queues.Reopen(
                    batchId,
                    result.Batch.CiAttempt,
                    await store.GetFinishedTestsAsync(batchId, result.Batch.Sequence, cancellationToken));
            }

            return Results.Json(
                new RerunResponse(
                    result.Status.ToString().ToLowerInvariant(),
                    BatchDto.From(result.Batch, clock.GetUtcNow()),
                    result.TooOld),
                ApiJson.Default.RerunResponse);
        }
        finally
        {
            RerunTurn.Release();
        }
    }
}
