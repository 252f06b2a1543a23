namespace BatchBuild.Core.Store;

/// <summary>
/// One run of one test batch on one agent, as a timeline shows it: it ended when its results were
/// recorded and began its tests' summed duration earlier (start-up is not included).
/// </summary>
public sealed record TestBatchSpan(
    string Agent,
    string Assembly,
    int TestBatch,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    int Tests,
    int Failed)
{
    /// <summary>
    /// The span of a run that finished at <paramref name="finishedAt"/> after its tests took
    /// <paramref name="testMillis"/> in all. It starts no earlier than the first representable
    /// time, whatever a stored duration says.
    /// </summary>
    public static TestBatchSpan Ending(
        string agent,
        string assembly,
        int testBatch,
        DateTimeOffset finishedAt,
        double testMillis,
        int tests,
        int failed)
    {
        // In UTC: an earlier local time of another offset may fall outside the range of times.
        var end = finishedAt.ToUniversalTime();
        var started = double.IsNaN(testMillis) || testMillis <= 0 ? end
            : testMillis >= (end - DateTimeOffset.MinValue).TotalMilliseconds ? DateTimeOffset.MinValue
            : end - TimeSpan.FromMilliseconds(testMillis);
        return new TestBatchSpan(agent, assembly, testBatch, started, finishedAt, tests, failed);
    }
}
