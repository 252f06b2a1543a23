using System.Collections.Immutable;

namespace BatchBuild.Core.Batches;

/// <summary>Whether a batch still takes tests.</summary>
public enum BatchState
{
    /// <summary>Open: tests that report with its ID join it.</summary>
    Active,

    /// <summary>Closed: its counts are frozen; tests that report with its ID start a new batch.</summary>
    Closed,
}

/// <summary>Why a batch was closed.</summary>
public enum CloseReason
{
    /// <summary>By the <c>CloseBatch</c> task or an API call.</summary>
    Explicit,

    /// <summary>No test reported for longer than the idle timeout.</summary>
    Idle,

    /// <summary>Open for longer than the maximum batch age.</summary>
    Age,
}

/// <summary>What a batch holds, frozen when it closes.</summary>
/// <param name="Passed">Tests that passed.</param>
/// <param name="Failed">Tests that failed.</param>
/// <param name="Skipped">Tests that were skipped or reported no outcome.</param>
/// <param name="TestBatches">Test batches that reported results.</param>
/// <param name="Agents">Machines that reported results.</param>
/// <param name="TestMillis">The sum of the tests' durations.</param>
/// <param name="Flaky">Tests whose latest result passed after a result of theirs failed.</param>
/// <param name="Retried">Tests with more than one result: they ran again.</param>
public sealed record BatchCounts(int Passed, int Failed, int Skipped, int TestBatches, int Agents, double TestMillis, int Flaky = 0, int Retried = 0)
{
    /// <summary>A batch with no results.</summary>
    public static BatchCounts Empty { get; } = new(0, 0, 0, 0, 0, 0);

    /// <summary>All tests.</summary>
    public int Total => Passed + Failed + Skipped;
}

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
/// <param name="CiAttempt">The attempt of the CI job that started it or, for a re-run, last joined it; 1 when no re-run did.</param>
/// <param name="Rerun">Whether a re-run of a CI job joined it after it had closed (or while it was still open): its completion is sent again, marked as a re-run.</param>
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

/// <summary>
/// When the store closes a batch by itself: an active batch open for strictly longer than
/// <see cref="MaxAge"/> closes as too old; otherwise one with no report for strictly longer than
/// <see cref="IdleTimeout"/> closes as idle. The store applies the rule in one SQL statement.
/// </summary>
/// <param name="IdleTimeout">A batch with no report for longer than this closes as idle.</param>
/// <param name="MaxAge">A batch open for longer than this closes as too old.</param>
public sealed record BatchLimits(TimeSpan IdleTimeout, TimeSpan MaxAge)
{
    /// <summary>3 hours idle, 3 days old.</summary>
    public static BatchLimits Default { get; } = new(TimeSpan.FromHours(3), TimeSpan.FromDays(3));
}

/// <summary>A failed test as the completion notification names it.</summary>
/// <param name="Assembly">The test's assembly name.</param>
/// <param name="Name">The test's fully qualified name.</param>
/// <param name="Message">Its error message, if it reported one.</param>
public sealed record FailedTest(string Assembly, string Name, string? Message);

/// <summary>The outcome of closing a batch.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Batch">The batch closed, or the latest one with the ID when none was active.</param>
/// <param name="FailedTests">The failed tests of the batch closed, as its notification lists them (the first <see cref="BatchCompletion.MaxFailedTests"/>, messages cut).</param>
public sealed record CloseResult(CloseStatus Status, BatchInfo? Batch, ImmutableArray<FailedTest> FailedTests);

/// <summary>What closing a batch did.</summary>
public enum CloseStatus
{
    /// <summary>This call closed the batch: it, and only it, notifies.</summary>
    Closed,

    /// <summary>The batch had already been closed (by another call, or because it expired).</summary>
    AlreadyClosed,

    /// <summary>No batch has this ID.</summary>
    Unknown,
}
