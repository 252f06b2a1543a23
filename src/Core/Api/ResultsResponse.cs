namespace BatchBuild.Core.Api;

/// <summary>The answer to a report: the batches the results went to.</summary>
public sealed record ResultsResponse(IReadOnlyList<BatchDto> Batches, int Received);
