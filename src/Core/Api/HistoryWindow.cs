using BatchBuild.Core.Batches;
using BatchBuild.Core.Store;

namespace BatchBuild.Core.Api;

/// <summary>
/// The checks the queries of recorded history share: the window's start and the batch left out.
/// </summary>
internal static class HistoryWindow
{
    /// <summary>
    /// Adds a problem for each of <paramref name="since"/> and <paramref name="excludeBatchId"/>
    /// that is invalid.
    /// </summary>
    public static void Check(DateTimeOffset? since, string? excludeBatchId, List<string> problems)
    {
        if (since is { } start && (start < TestResultRecord.EarliestFinish || start >= TestResultRecord.LatestFinish))
        {
            problems.Add(
                $"since: a time from {TestResultRecord.EarliestFinish:yyyy-MM-dd} "
                + $"to before {TestResultRecord.LatestFinish:yyyy-MM-dd}");
        }

        if (excludeBatchId is { } exclude && !BatchId.TryCreate(exclude, out _, out var problem))
        {
            problems.Add($"excludeBatchId: {problem}");
        }
    }
}
