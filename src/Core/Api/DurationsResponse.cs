namespace BatchBuild.Core.Api;

/// <summary>The durations the planner gets back.</summary>
public sealed record DurationsResponse(IReadOnlyList<DurationDto> Durations);
