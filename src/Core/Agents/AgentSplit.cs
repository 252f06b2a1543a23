using BatchBuild.Core.Discovery;
using BatchBuild.Core.Planning;

namespace BatchBuild.Core.Agents;

/// <summary>
/// The static split of a plan among agents: test batches, longest first, each to the agent with
/// the least expected work so far. A tie goes to the first of the agents counted from one the
/// assembly's name picks, so that the projects of a solution, split one by one, do not all hand
/// their first test batch to agent 1. A pure function of the plan, so agents that plan from the
/// same tests and the same history agree without talking; with no history every test batch is
/// expected to take as long as any other, and the split is by count.
/// </summary>
public static class AgentSplit
{
    /// <summary>
    /// The test batches of <paramref name="plan"/> that agent <paramref name="slot"/> runs, in plan order.
    /// </summary>
    public static IReadOnlyList<TestBatch> ShareOf(IReadOnlyList<TestBatch> plan, AgentSlot slot) =>
        Assign(plan, slot.Count)[slot.Index - 1];

    /// <summary>Every agent's test batches, by agent (index 0 is agent 1), each in plan order.</summary>
    public static IReadOnlyList<IReadOnlyList<TestBatch>> Assign(IReadOnlyList<TestBatch> plan, int agents)
    {
        var shares = Enumerable.Range(0, agents).Select(_ => new List<TestBatch>()).ToArray();
        var load = new double[agents];
        var first = plan.Count == 0 ? 0 : (int)(StableHash(TestKey.AssemblyNameOf(plan[0].Source)) % (uint)agents);
        foreach (var batch in plan.OrderByDescending(batch => batch.ExpectedMillis).ThenBy(batch => batch.Index))
        {
            var least = first;
            for (var step = 1; step < agents; step++)
            {
                var agent = (first + step) % agents;
                if (load[agent] < load[least])
                {
                    least = agent;
                }
            }

            shares[least].Add(batch);
            load[least] += batch.ExpectedMillis;
        }

        return [.. shares.Select(share => (IReadOnlyList<TestBatch>)[.. share.OrderBy(batch => batch.Index)])];
    }

    // FNV-1a over the name's UTF-16 code units: the same on every machine and process, unlike string.GetHashCode.
    private static uint StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }
}
