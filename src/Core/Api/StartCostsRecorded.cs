namespace BatchBuild.Core.Api;

/// <summary>The answer to <c>POST /api/v1/start-costs</c>: how many costs were recorded.</summary>
public sealed record StartCostsRecorded(int Recorded);
