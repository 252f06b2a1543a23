using BatchBuild.Core.Api;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Store;

namespace BatchBuild.Server;

/// <summary>The routes that record results and read durations and a test's runs.</summary>
internal static partial class Api
{
    private static async Task<IResult> RecordAsync(
        HttpContext http,
        IBatchStore store,
        OutboxSignal outbox,
        TimeProvider clock,
        CancellationToken cancellationToken)
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
        return Results.Json(
            new ResultsResponse([.. batches.Select(batch => BatchDto.From(batch, now))], records.Count),
            ApiJson.Default.ResultsResponse);
    }

    private static async Task<IResult> DurationsAsync(
        HttpContext http,
        IBatchStore store,
        CancellationToken cancellationToken)
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
        return Results.Json(
            new DurationsResponse([.. durations.Select(DurationDto.From)]),
            ApiJson.Default.DurationsResponse);
    }

    private static async Task<IResult> TestRunsAsync(
        IBatchBrowser store,
        string? assembly,
        string? name,
        int? limit,
        CancellationToken cancellationToken)
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

        var runs = await store.GetTestRunsAsync(
            new TestKey(assembly!, name!),
            limit ?? TestRunsDto.DefaultLimit,
            cancellationToken);
        return Results.Json(
            new TestRunsDto(assembly!, name!, [.. runs.Select(ResultDto.From)]),
            ApiJson.Default.TestRunsDto);
    }
}
