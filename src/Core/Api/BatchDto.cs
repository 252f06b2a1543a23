using BatchBuild.Core.Batches;

namespace BatchBuild.Core.Api;

/// <summary>A batch on the wire.</summary>
public sealed record BatchDto(
    string BatchId,
    string Name,
    int Sequence,
    string State,
    DateTimeOffset StartedAt,
    DateTimeOffset LastActivityAt,
    DateTimeOffset? ClosedAt,
    string? Reason,
    double DurationSeconds,
    BatchCounts Counts,
    bool NotifyOnCompletion,
    bool Rerun = false,
    int CiAttempt = 1)
{
    /// <summary>The batch as sent; an active batch's duration runs to <paramref name="now"/>.</summary>
    public static BatchDto From(BatchInfo batch, DateTimeOffset now) => new(
        batch.Id.Value,
        batch.Name,
        batch.Sequence,
        batch.State.ToString().ToLowerInvariant(),
        batch.StartedAt,
        batch.LastActivityAt,
        batch.ClosedAt,
        batch.Reason?.ToString().ToLowerInvariant(),
        Math.Round(((batch.ClosedAt ?? now) - batch.StartedAt).TotalSeconds, 3),
        batch.Counts,
        batch.NotifyOnCompletion,
        batch.Rerun,
        batch.CiAttempt);
}
