using System.Collections.Immutable;
using System.Globalization;

namespace BatchBuild.Core.Agents;

/// <summary>
/// Which of a run's parallel CI agents this is: the <see cref="Index"/>-th (from 1) of <see cref="Count"/>.
/// </summary>
/// <param name="Index">This agent's position, from 1.</param>
/// <param name="Count">How many agents run the batch.</param>
/// <param name="Origin">Where the two numbers came from, for the build log.</param>
public sealed record AgentSlot(int Index, int Count, string Origin)
{
    /// <summary>A run on one agent.</summary>
    public static AgentSlot Single { get; } = new(1, 1, "a single agent");

    /// <summary>
    /// The name this agent's results and leases carry: the machine's name, after the agent's
    /// index when more than one agent runs the batch, so that agents on one machine count apart.
    /// </summary>
    public string NameOn(string machine) => Count > 1 ? $"{Index}@{machine}" : machine;

    /// <summary>The configuration names of the distribution types.</summary>
    public static IReadOnlyDictionary<DistributionType, string> DistributionNames { get; } =
        new Dictionary<DistributionType, string>
        {
            [DistributionType.None] = "none",
            [DistributionType.Static] = "static",
            [DistributionType.Queue] = "queue",
        };

    // The parallel-job variables of each CI, with how far from 1 their index counts.
    private static readonly (string Ci, string Index, string Count, int Offset)[] CiVariables =
    [
        ("Azure Pipelines", "SYSTEM_JOBPOSITIONINPHASE", "SYSTEM_TOTALJOBSINPHASE", 0),
        ("GitLab", "CI_NODE_INDEX", "CI_NODE_TOTAL", 0),
        ("CircleCI", "CIRCLE_NODE_INDEX", "CIRCLE_NODE_TOTAL", 1),
        ("Buildkite", "BUILDKITE_PARALLEL_JOB", "BUILDKITE_PARALLEL_JOB_COUNT", 1),
    ];

    /// <summary>
    /// Resolves this agent's slot: the <c>AgentIndex</c> and <c>AgentCount</c> settings when both
    /// are set, else the parallel-job variables of Azure Pipelines, GitLab, CircleCI or Buildkite,
    /// else a single agent. An index outside 1..count is an error naming where it came from.
    /// </summary>
    public static (AgentSlot? Slot, ImmutableArray<Diagnostic> Diagnostics) Resolve(
        int? index,
        int? count,
        Func<string, string?> environment)
    {
        if (index is not null || count is not null)
        {
            return index is { } i && count is { } n
                ? Checked(i, n, "the AgentIndex and AgentCount settings")
                : (null,
                [
                    Diagnostic.Error(
                        DiagnosticCodes.InvalidAgent,
                        "AgentIndex and AgentCount go together: set both (BatchBuildAgentIndex, BatchBuildAgentCount), "
                        + "or neither"),
                ]);
        }

        foreach (var (ci, indexVariable, countVariable, offset) in CiVariables)
        {
            if (EnvironmentValues.Of(environment, indexVariable) is not { } indexText
                || EnvironmentValues.Of(environment, countVariable) is not { } countText)
            {
                continue;
            }

            var origin = $"{ci} ({indexVariable}={indexText}, {countVariable}={countText})";
            return int.TryParse(indexText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ciIndex)
                && int.TryParse(countText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ciCount)
                ? Checked(ciIndex + offset, ciCount, origin)
                : (null, [Diagnostic.Error(
                    DiagnosticCodes.InvalidAgent,
                    $"{origin} are not whole numbers; set BatchBuildAgentIndex and BatchBuildAgentCount explicitly")]);
        }

        return (Single, []);
    }

    private static (AgentSlot?, ImmutableArray<Diagnostic>) Checked(int index, int count, string origin) =>
        count >= 1 && index >= 1 && index <= count
            ? (new AgentSlot(index, count, origin), [])
            : (null, [Diagnostic.Error(
                DiagnosticCodes.InvalidAgent,
                $"agent {index} of {count} from {origin} is not an agent: the index counts from 1 to the count")]);
}
