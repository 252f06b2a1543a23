namespace BatchBuild.Core.Durations;

/// <summary>What the planner asks a store: the recorded start costs of these assemblies.</summary>
/// <param name="Assemblies">The assemblies' names; those without records are left out of the answer.</param>
/// <param name="Since">Only records of runs that ended at or after this time count; all when null.</param>
/// <param name="RunsPerAssembly">The newest records of each assembly and kind, at most this many.</param>
/// <param name="ExcludeBatchId">
/// Records of this batch do not count: the batch being planned, so that agents that plan it at
/// different times plan from the same history.
/// </param>
public sealed record StartCostQuery(
    IReadOnlyList<string> Assemblies,
    DateTimeOffset? Since,
    int RunsPerAssembly,
    string? ExcludeBatchId = null)
{
    /// <summary>The most recent records an assembly's start cost rests on, per kind.</summary>
    public const int DefaultRunsPerAssembly = 20;
}
