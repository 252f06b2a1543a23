namespace BatchBuild.Core.Batches;

/// <summary>
/// A re-run CI job that joins the batch of the run it re-runs, as it tells the store before its
/// first result: which attempt it is and which agent of the run.
/// </summary>
/// <param name="Attempt">The job's attempt, more than 1.</param>
/// <param name="AgentIndex">Which of the run's agents it is, from 1.</param>
/// <param name="AgentCount">How many agents run the batch.</param>
/// <remarks>
/// The store decides once per attempt, in one write, and every later agent, project and process of
/// the attempt joins what it decided: an open batch of the ID is joined; a closed one is re-opened,
/// and its next close sends the completion again, marked as a re-run; but when this agent's share
/// in it passed and no test of it failed, the re-run is taken for a re-run of every job (a re-run of
/// failed jobs never runs an agent that passed) and starts a new batch of the ID.
/// </remarks>
public sealed record Rerun(int Attempt, int AgentIndex, int AgentCount)
{
    /// <summary>The most attempts a re-run may name.</summary>
    public const int MaxAttempt = 10_000;

    /// <summary>The most agents a re-run may name.</summary>
    public const int MaxAgents = 10_000;

    /// <summary>
    /// The pattern, for SQL <c>LIKE</c>, of the names this agent's results carry (see
    /// <see cref="Agents.AgentSlot.NameOn"/>); every name when it is the only agent.
    /// </summary>
    public string AgentNamePattern => AgentCount > 1 ? $"{AgentIndex}@%" : "%";
}
