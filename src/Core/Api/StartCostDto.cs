using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Store;

namespace BatchBuild.Core.Api;

/// <summary>
/// What one test batch or listing cost beside its tests, on the wire (<c>POST /api/v1/start-costs</c>
/// and its answer to <c>POST /api/v1/start-costs/query</c>); see <see cref="StartCostRecord"/>.
/// </summary>
public sealed record StartCostDto(
    string? Assembly,
    StartCostKind? Kind,
    double? StartMillis,
    double? WallMillis,
    double? TestMillis,
    int? Tests,
    string? BatchId,
    DateTimeOffset? FinishedAt,
    string? ListDigest = null)
{
    /// <summary>The cost as sent.</summary>
    public static StartCostDto From(StartCostRecord cost)
    {
        ArgumentNullException.ThrowIfNull(cost);
        return new(
            cost.Assembly,
            cost.Kind,
            cost.StartMillis,
            cost.WallMillis,
            cost.TestMillis,
            cost.Tests,
            cost.BatchId,
            cost.FinishedAt,
            cost.ListDigest);
    }

    /// <summary>
    /// The record, or the problems that keep this cost from being one, each naming its field as
    /// <c>costs[index].field</c>.
    /// </summary>
    public StartCostRecord? ToRecord(int index, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        var before = problems.Count;
        Names.Check(Assembly, $"costs[{index}].assembly", problems);
        if (Kind is not { } kind || !Enum.IsDefined(kind))
        {
            problems.Add($"costs[{index}].kind: required, TestBatch or Listing (any case)");
        }

        Millis(StartMillis, "startMillis");
        Millis(WallMillis, "wallMillis");
        Millis(TestMillis, "testMillis");
        if (Tests is not >= 0)
        {
            problems.Add($"costs[{index}].tests: required, 0 or more");
        }

        if (!Batches.BatchId.TryCreate(BatchId, out var id, out var idProblem))
        {
            problems.Add($"costs[{index}].batchId: {idProblem}");
        }

        if (FinishedAt is null
            || FinishedAt < TestResultRecord.EarliestFinish
            || FinishedAt >= TestResultRecord.LatestFinish)
        {
            problems.Add(
                $"costs[{index}].finishedAt: required, {OffsetTimeJsonConverter.Rule}, "
                + $"from {TestResultRecord.EarliestFinish:yyyy-MM-dd} "
                + $"to before {TestResultRecord.LatestFinish:yyyy-MM-dd}");
        }

        if (ListDigest is not null && !TestListDigest.IsDigest(ListDigest))
        {
            problems.Add($"costs[{index}].listDigest: {TestListDigest.Length} lowercase hex digits, or left out");
        }

        return problems.Count > before
            ? null
            : new StartCostRecord(
                StoredText.Clean(Assembly!),
                Kind!.Value,
                StartMillis!.Value,
                WallMillis!.Value,
                TestMillis!.Value,
                Tests!.Value,
                id.Value,
                FinishedAt!.Value,
                ListDigest);

        void Millis(double? value, string field)
        {
            if (value is not { } millis || !double.IsFinite(millis)
                || millis is < 0 or > TestResultRecord.MaxDurationMillis)
            {
                problems.Add(
                    $"costs[{index}].{field}: required, milliseconds from 0 to "
                    + $"{TestResultRecord.MaxDurationMillis:0} (7 days)");
            }
        }
    }

    /// <summary>
    /// The cost as the server answered it, or null when it lacks a field this version needs; its
    /// numbers are clamped like durations read from a store.
    /// </summary>
    public StartCostRecord? ToCost() =>
        Assembly is null || Kind is not { } kind || !Enum.IsDefined(kind) || BatchId is null || FinishedAt is null
            ? null
            : new StartCostRecord(
                Assembly,
                kind,
                TestResultRecord.ClampDuration(StartMillis ?? 0),
                TestResultRecord.ClampDuration(WallMillis ?? 0),
                TestResultRecord.ClampDuration(TestMillis ?? 0),
                Math.Max(0, Tests ?? 0),
                BatchId,
                FinishedAt.Value,
                TestListDigest.IsDigest(ListDigest) ? ListDigest : null);
}
