using BatchBuild.Core.Durations;
using BatchBuild.Core.Store;

namespace BatchBuild.Core.Api;

/// <summary>
/// What the planner asks about the assemblies it plans: <c>POST /api/v1/start-costs/query</c>; see
/// <see cref="StartCostQuery"/>. The answer is a <see cref="StartCostsResponse"/>.
/// </summary>
public sealed record StartCostsQueryRequest(
    IReadOnlyList<string>? Assemblies,
    DateTimeOffset? Since,
    int? RunsPerAssembly,
    string? ExcludeBatchId = null)
{
    /// <summary>
    /// The most records of one assembly and kind a request may ask for: as many as a store keeps,
    /// which bounds the answer to 200 records per assembly named.
    /// </summary>
    public const int MaxRunsPerAssembly = 100;

    /// <summary>The request for <paramref name="query"/>.</summary>
    public static StartCostsQueryRequest From(StartCostQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return new([.. query.Assemblies], query.Since, query.RunsPerAssembly, query.ExcludeBatchId);
    }

    /// <summary>The query, or every problem found.</summary>
    public (StartCostQuery? Query, IReadOnlyList<string> Problems) Validate()
    {
        var problems = new List<string>();
        if (Assemblies is null || Assemblies.Count > DurationsRequest.MaxAssemblies)
        {
            problems.Add($"assemblies: required, at most {DurationsRequest.MaxAssemblies} assembly names");
        }
        else
        {
            for (var i = 0; i < Assemblies.Count; i++)
            {
                Names.Check(Assemblies[i], $"assemblies[{i}]", problems);
            }
        }

        if (RunsPerAssembly is < 1 or > MaxRunsPerAssembly)
        {
            problems.Add($"runsPerAssembly: 1 to {MaxRunsPerAssembly}");
        }

        HistoryWindow.Check(Since, ExcludeBatchId, problems);

        return problems.Count > 0
            ? (null, problems)
            : (new StartCostQuery(
                [.. Assemblies!.Select(assembly => StoredText.Clean(assembly)).Distinct(StringComparer.Ordinal)],
                Since,
                RunsPerAssembly ?? StartCostQuery.DefaultRunsPerAssembly,
                ExcludeBatchId), problems);
    }
}
