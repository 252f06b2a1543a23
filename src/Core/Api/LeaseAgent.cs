namespace BatchBuild.Core.Api;

/// <summary>
/// The agent that renews or completes a lease: <c>POST /api/v1/batches/{id}/leases/{lease}/heartbeat</c> and
/// <c>…/complete</c>.
/// </summary>
public sealed record LeaseAgent(string? Agent)
{
    /// <summary>Every problem found, each naming its field.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        Names.CheckAgent(Agent, "agent", problems);
        return problems;
    }
}
