using BatchBuild.Core.Api;
using BatchBuild.Core.Store;

namespace BatchBuild.Server;

/// <summary>The routes that record and read what test batches and listings cost beside their tests.</summary>
internal static partial class Api
{
    private static async Task<IResult> RecordStartCostsAsync(
        HttpContext http,
        IBatchStore store,
        CancellationToken cancellationToken)
    {
        var (request, problem) = await ReadAsync(http, ApiJson.Default.StartCostsRequest, cancellationToken);
        if (request is null)
        {
            return problem!;
        }

        var (records, problems) = request.Validate();
        if (problems.Count > 0)
        {
            return Invalid(problems);
        }

        await store.RecordStartCostsAsync(records, cancellationToken);
        return Results.Json(new StartCostsRecorded(records.Count), ApiJson.Default.StartCostsRecorded);
    }

    private static async Task<IResult> StartCostsAsync(
        HttpContext http,
        IBatchStore store,
        CancellationToken cancellationToken)
    {
        var (request, problem) = await ReadAsync(http, ApiJson.Default.StartCostsQueryRequest, cancellationToken);
        if (request is null)
        {
            return problem!;
        }

        var (query, problems) = request.Validate();
        if (query is null)
        {
            return Invalid(problems);
        }

        var costs = await store.GetStartCostsAsync(query, cancellationToken);
        return Results.Json(
            new StartCostsResponse([.. costs.Select(StartCostDto.From)]),
            ApiJson.Default.StartCostsResponse);
    }
}
