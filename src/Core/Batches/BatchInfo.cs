namespace BatchBuild.Core.Batches;

/// <summary>One batch as the store keeps it.</summary>
/// <param name="Id">The batch ID the tests reported with.</param>
/// <param name="Sequence">1 for the first batch with this ID, 2 for the one started after it closed, and so on.</param>
/// <param name="State">Active or closed.</param>
/// <param name="StartedAt">When its first test reported.</param>
/// <param name="LastActivityAt">When a test last reported.</param>
/// <param name="ClosedAt">When it closed, if it did.</param>
/// <param name="Reason">Why it closed, if it did.</param>
/// <param name="Counts">Its counts: live while active, frozen at close.</param>
/// <param name="NotifyOnCompletion">Whether closing it sends the completion notification.</param>
/// <param name="CiAttempt">The attempt of the CI job that started it or, for a re-run, last joined it; 1 when no re-run
/// did.</param>
/// <param name="Rerun">Whether a re-run of a CI job joined it after it had closed (or while it was still open): its
/// completion is sent again, marked as a re-run.</param>
public sealed record BatchInfo(
    BatchId Id,
    int Sequence,
    BatchState State,
    DateTimeOffset StartedAt,
    DateTimeOffset LastActivityAt,
    DateTimeOffset? ClosedAt,
    CloseReason? Reason,
    BatchCounts Counts,
    bool NotifyOnCompletion,
    int CiAttempt = 1,
    bool Rerun = false)
{
    /// <summary>The batch's name: its ID, with <c>#sequence</c> after the first batch of that ID.</summary>
    public string Name => Sequence == 1 ? Id.Value : $"{Id.Value}#{Sequence}";
}
