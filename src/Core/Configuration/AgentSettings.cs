namespace BatchBuild.Core.Configuration;

/// <summary>
/// The agent settings: all null unless set, so that the CI's parallel-job variables and the defaults apply.
/// </summary>
/// <param name="Index">This agent's position, from 1.</param>
/// <param name="Count">How many agents run the batch.</param>
/// <param name="Distribution">
/// How the agents share the tests; by default, with more than one agent, <c>queue</c> with a batch
/// server and <c>static</c> without one.
/// </param>
public sealed record AgentSettings(int? Index, int? Count, Agents.DistributionType? Distribution)
{
    /// <summary>Nothing set.</summary>
    public static AgentSettings Defaults { get; } = new(null, null, null);

    /// <summary>How <paramref name="agents"/> agents share the tests, with or without a batch server.</summary>
    public Agents.DistributionType DistributionFor(int agents, bool server) =>
        agents <= 1 ? Agents.DistributionType.None
        : Distribution ?? (server ? Agents.DistributionType.Queue : Agents.DistributionType.Static);
}
