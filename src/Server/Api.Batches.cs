using BatchBuild.Core.Api;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Store;

namespace BatchBuild.Server;

/// <summary>The routes that read batches: the list, one batch, its results and its timeline.</summary>
internal static partial class Api
{
    private static async Task<IResult> ListAsync(
        IBatchBrowser store,
        TimeProvider clock,
        string? state,
        string? name,
        DateTimeOffset? from,
        DateTimeOffset? to,
        int? page,
        int? pageSize,
        CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        BatchState? wanted = null;
        if (state is { Length: > 0 })
        {
            // One of the names, exactly: Enum.TryParse would also take a number or "active, closed".
            if (Enum.GetValues<BatchState>().Where(value => value.ToString().Equals(
                state,
                StringComparison.OrdinalIgnoreCase)).ToList() is [var parsed])
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

        var result = await store.ListBatchesAsync(
            new BatchListQuery(wanted, name, from, to, page ?? 1, pageSize ?? BatchListQuery.DefaultPageSize),
            cancellationToken);
        var now = clock.GetUtcNow();
        return Results.Json(
            new BatchPageDto(
                [.. result.Batches.Select(batch => BatchDto.From(batch, now))],
                result.Total,
                result.Page,
                result.PageSize),
            ApiJson.Default.BatchPageDto);
    }

    private static async Task<IResult> LatestAsync(
        HttpContext http,
        IBatchStore store,
        TimeProvider clock,
        CancellationToken cancellationToken)
    {
        if (Parse(http, out var batchId) is { } invalid)
        {
            return invalid;
        }

        return await store.GetBatchAsync(batchId, cancellationToken) is { } batch
            ? Results.Json(BatchDto.From(batch, clock.GetUtcNow()), ApiJson.Default.BatchDto)
            : UnknownBatch(batchId.Value);
    }

    private static async Task<IResult> OneAsync(
        HttpContext http,
        int sequence,
        IBatchBrowser store,
        TimeProvider clock,
        CancellationToken cancellationToken)
    {
        if (Parse(http, out var batchId) is { } invalid)
        {
            return invalid;
        }

        return await store.GetBatchAsync(batchId, sequence, cancellationToken) is { } batch
            ? Results.Json(BatchDto.From(batch, clock.GetUtcNow()), ApiJson.Default.BatchDto)
            : UnknownBatch($"{batchId.Value}#{sequence}");
    }

    private static async Task<IResult> ResultsAsync(
        HttpContext http,
        int sequence,
        int? page,
        int? pageSize,
        IBatchBrowser store,
        TimeProvider clock,
        CancellationToken cancellationToken)
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

        var results = await store.GetResultsAsync(
            batchId,
            sequence,
            page ?? 1,
            pageSize ?? BatchResultsPage.DefaultPageSize,
            cancellationToken);
        return Results.Json(
            new BatchResultsDto(
                BatchDto.From(batch, clock.GetUtcNow()),
                [.. results.Results.Select(ResultDto.Listed)],
                results.Total,
                results.Page,
                results.PageSize),
            ApiJson.Default.BatchResultsDto);
    }

    private static async Task<IResult> TimelineAsync(
        HttpContext http,
        int sequence,
        int? page,
        int? pageSize,
        IBatchBrowser store,
        CancellationToken cancellationToken)
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

        var timeline = await store.GetTimelineAsync(
            batchId,
            sequence,
            page ?? 1,
            pageSize ?? TestBatchTimeline.DefaultPageSize,
            cancellationToken);
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
}
