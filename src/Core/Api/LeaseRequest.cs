namespace BatchBuild.Core.Api;

/// <summary>
/// An agent that asks for the next test batch of an assembly: <c>POST /api/v1/batches/{id}/leases</c>.
/// </summary>
public sealed record LeaseRequest(string? Assembly, string? Agent)
{
    /// <summary>Every problem found, each naming its field.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        Names.Check(Assembly, "assembly", problems);
        Names.CheckAgent(Agent, "agent", problems);
        return problems;
    }
}
