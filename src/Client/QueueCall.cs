using System.Net;

namespace BatchBuild.Client;

/// <summary>
/// What one call to the batch's queue came to: the answer, or why there is none and the status when the server gave
/// one.
/// </summary>
public sealed record QueueCall<T>(T? Value, string Problem, HttpStatusCode? Status)
    where T : class
{
    /// <summary>The server could not be reached, or failed: the agent goes on without the queue.</summary>
    public bool Unreachable => Value is null && (Status is null || Http.IsTransient(Status.Value));

    /// <summary>
    /// The server answered 409: the lease is lost, or the agent is not registered (the server restarted).
    /// </summary>
    public bool Conflict => Status == HttpStatusCode.Conflict;
}
