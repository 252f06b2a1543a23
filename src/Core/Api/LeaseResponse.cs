using BatchBuild.Core.Agents;

namespace BatchBuild.Core.Api;

/// <summary>
/// The answer to a lease request: <c>leased</c> with the lease, its test batch and how often to
/// renew it; <c>wait</c> with how long to wait before asking again; or <c>done</c>.
/// </summary>
public sealed record LeaseResponse(
    string Status,
    Lease? Lease,
    QueuedTestBatch? TestBatch,
    double? HeartbeatMillis,
    double? RetryAfterMillis)
{
    /// <summary>The status of a granted lease.</summary>
    public const string Leased = "leased";

    /// <summary>The status that says to ask again later.</summary>
    public const string Waiting = "wait";

    /// <summary>The status that says nothing is left for the agent.</summary>
    public const string Done = "done";
}
