namespace BatchBuild.Core.Api;

/// <summary>
/// A batch with one page of its results (failed first), each error message cut at
/// <see cref="ResultDto.MaxListedErrorLength"/>; the runs of its test batches are on their own
/// route (<see cref="TimelineDto"/>).
/// </summary>
public sealed record BatchResultsDto(
    BatchDto Batch,
    IReadOnlyList<ResultDto> Results,
    int Total,
    int Page,
    int PageSize);
