using BatchBuild.Core.Batches;

namespace BatchBuild.Core.Api;

/// <summary>
/// A re-run of a CI job that joins its run's batch before its first result:
/// <c>POST /api/v1/batches/{id}/rerun</c>. The answer is a <see cref="RerunResponse"/>.
/// </summary>
/// <param name="Attempt">The job's attempt: 2 or more.</param>
/// <param name="AgentIndex">Which of the run's agents re-runs, from 1.</param>
/// <param name="AgentCount">How many agents run the batch.</param>
public sealed record RerunRequest(int? Attempt, int? AgentIndex, int? AgentCount)
{
    /// <summary>The request for <paramref name="rerun"/>.</summary>
    public static RerunRequest From(Rerun rerun) => new(rerun.Attempt, rerun.AgentIndex, rerun.AgentCount);

    /// <summary>The re-run, or every problem found, each naming its field.</summary>
    public (Rerun? Rerun, IReadOnlyList<string> Problems) Validate()
    {
        var problems = new List<string>();
        if (Attempt is not (>= 2 and <= Rerun.MaxAttempt))
        {
            problems.Add($"attempt: required, 2 to {Rerun.MaxAttempt} (a first attempt joins no earlier run)");
        }

        if (AgentCount is not (>= 1 and <= Rerun.MaxAgents))
        {
            problems.Add($"agentCount: required, 1 to {Rerun.MaxAgents}");
        }
        else if (AgentIndex is not { } index || index < 1 || index > AgentCount)
        {
            problems.Add("agentIndex: required, 1 to agentCount");
        }

        return problems.Count > 0
            ? (null, problems)
            : (new Rerun(Attempt!.Value, AgentIndex!.Value, AgentCount!.Value), problems);
    }
}
