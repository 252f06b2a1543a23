namespace BatchBuild.Core.Api;

/// <summary>The answer to a close: what happened, and the batch.</summary>
public sealed record CloseResponse(string Status, BatchDto? Batch);
