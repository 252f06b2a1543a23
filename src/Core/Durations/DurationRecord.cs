using BatchBuild.Core.Discovery;

namespace BatchBuild.Core.Durations;

/// <summary>One recorded run of one test.</summary>
/// <param name="Test">The test.</param>
/// <param name="DurationMillis">How long the test took, in milliseconds.</param>
/// <param name="Outcome">How the run ended.</param>
/// <param name="RecordedAt">When the run ended.</param>
public sealed record DurationRecord(
    TestKey Test,
    double DurationMillis,
    TestRunOutcome Outcome,
    DateTimeOffset RecordedAt)
{
    /// <summary>Whether this run's duration tells how long the test takes: passed and failed runs do.</summary>
    public bool IsRepresentative => Outcome is TestRunOutcome.Passed or TestRunOutcome.Failed;
}
