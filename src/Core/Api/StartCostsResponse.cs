namespace BatchBuild.Core.Api;

/// <summary>
/// The recorded start costs the planner gets back from <c>POST /api/v1/start-costs/query</c>,
/// newest first.
/// </summary>
public sealed record StartCostsResponse(IReadOnlyList<StartCostDto> Costs);
