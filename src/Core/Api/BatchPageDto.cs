namespace BatchBuild.Core.Api;

/// <summary>One page of batches: <c>GET /api/v1/batches</c>.</summary>
public sealed record BatchPageDto(IReadOnlyList<BatchDto> Batches, int Total, int Page, int PageSize);
