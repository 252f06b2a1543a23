using BatchBuild.Core.Batches;

namespace BatchBuild.Client;

/// <summary>One batch's close on a server.</summary>
/// <param name="Id">The batch ID.</param>
/// <param name="Status">How it ended.</param>
/// <param name="Detail">The status code or error, for the log; never the API key.</param>
public sealed record ServerCloseResult(BatchId Id, ServerCloseStatus Status, string Detail);
