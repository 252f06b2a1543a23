namespace BatchBuild.Core.Agents;

/// <summary>What an agent that asks for work gets.</summary>
public abstract record LeaseReply
{
    /// <summary>A test batch to run, held by <paramref name="Lease"/>.</summary>
    public sealed record Granted(Lease Lease, QueuedTestBatch Batch) : LeaseReply;

    /// <summary>
    /// Nothing to lease now, but other agents hold leases that may expire: ask again after
    /// <paramref name="RetryAfter"/>.
    /// </summary>
    public sealed record Wait(TimeSpan RetryAfter) : LeaseReply;

    /// <summary>Nothing left for this agent: every test batch it could run has run.</summary>
    public sealed record Finished : LeaseReply;

    /// <summary>The agent has not registered its tests with this queue.</summary>
    public sealed record Unregistered : LeaseReply;
}
