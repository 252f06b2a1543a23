using BatchBuild.Core.Durations;

namespace BatchBuild.Core.Api;

/// <summary>
/// What test batches and listings cost beside their tests, recorded all or none:
/// <c>POST /api/v1/start-costs</c>. The answer is a <see cref="StartCostsRecorded"/>.
/// </summary>
public sealed record StartCostsRequest(IReadOnlyList<StartCostDto>? Costs)
{
    /// <summary>
    /// The most costs one request may carry: a run records one per test batch and listing, so a
    /// project's run needs far fewer.
    /// </summary>
    public const int MaxCosts = 1000;

    /// <summary>The request for <paramref name="costs"/>.</summary>
    public static StartCostsRequest From(IEnumerable<StartCostRecord> costs) =>
        new([.. costs.Select(StartCostDto.From)]);

    /// <summary>The records, or every problem found, each naming its field.</summary>
    public (IReadOnlyList<StartCostRecord> Records, IReadOnlyList<string> Problems) Validate()
    {
        if (Costs is null || Costs.Count == 0)
        {
            return ([], ["costs: required, 1 or more costs"]);
        }

        if (Costs.Count > MaxCosts)
        {
            return ([], [$"costs: {Costs.Count} costs; send at most {MaxCosts} per request"]);
        }

        var problems = new List<string>();
        var records = new List<StartCostRecord>(Costs.Count);
        for (var i = 0; i < Costs.Count; i++)
        {
            if (Costs[i] is null)
            {
                problems.Add($"costs[{i}]: null");
            }
            else if (Costs[i].ToRecord(i, problems) is { } record)
            {
                records.Add(record);
            }
        }

        return (records, problems);
    }
}
