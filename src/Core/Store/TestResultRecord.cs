using BatchBuild.Core.Batches;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;

namespace BatchBuild.Core.Store;

/// <summary>One test's result in one test batch of one batch, as the collector reports it.</summary>
/// <param name="BatchId">The batch the test ran in.</param>
/// <param name="TestBatch">The 1-based index of the test batch it ran in, or 0 when it ran outside a plan.</param>
/// <param name="Test">The test.</param>
/// <param name="DisplayName">The name shown for the test.</param>
/// <param name="Outcome">How the test ended.</param>
/// <param name="DurationMillis">How long it took.</param>
/// <param name="FinishedAt">When it ended.</param>
/// <param name="Agent">The machine that ran it.</param>
/// <param name="Attempt">
/// The run of the test batch that produced it (a GUID per run): a store keeps one result per test
/// and attempt, so a result sent twice is recorded once, and a test run again is a new attempt.
/// </param>
/// <param name="ErrorMessage">Its error message, when it failed with one.</param>
public sealed record TestResultRecord(
    BatchId BatchId,
    int TestBatch,
    TestKey Test,
    string DisplayName,
    TestRunOutcome Outcome,
    double DurationMillis,
    DateTimeOffset FinishedAt,
    string Agent,
    string Attempt,
    string? ErrorMessage = null)
{
    /// <summary>
    /// The longest duration a result may have: 7 days in milliseconds. Reports are checked
    /// against it, and durations read from a store are clamped to [0, this], because a store
    /// written by an older version may hold infinite, huge or negative values.
    /// </summary>
    public const double MaxDurationMillis = 604_800_000;

    /// <summary>
    /// <paramref name="millis"/> clamped to [0, <see cref="MaxDurationMillis"/>]; not a number
    /// is 0. What every duration read from a store goes through, so that sums, times and JSON
    /// built from it stay finite.
    /// </summary>
    public static double ClampDuration(double millis) =>
        double.IsNaN(millis) ? 0 : Math.Clamp(millis, 0, MaxDurationMillis);

    /// <summary>The earliest time a result may have finished at.</summary>
    public static readonly DateTimeOffset EarliestFinish = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The time every result finished before.</summary>
    public static readonly DateTimeOffset LatestFinish = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// The one record of a test that reported several results in one run (data rows, cases that
    /// share an ID): its worst outcome, its durations added up, the first failure's message, and
    /// its text as stores keep it.
    /// </summary>
    public static TestResultRecord Combine(
        BatchId batchId,
        int testBatch,
        TestKey test,
        string displayName,
        IReadOnlyCollection<(TestRunOutcome Outcome, double DurationMillis, string? ErrorMessage)> results,
        DateTimeOffset finishedAt,
        string agent,
        string attempt) =>
        new TestResultRecord(
            batchId,
            testBatch,
            test,
            displayName,
            TestBatchResult.Worst(results.Select(result => result.Outcome)),
            results.Sum(result => result.DurationMillis),
            finishedAt,
            agent,
            attempt,
            results.FirstOrDefault(result => result.Outcome == TestRunOutcome.Failed && result.ErrorMessage is not null)
                .ErrorMessage)
            .Cleaned();

    /// <summary>This result with its text as stores keep it (see <see cref="StoredText"/>).</summary>
    public TestResultRecord Cleaned() => this with
    {
        Test = new(StoredText.Clean(Test.Assembly), StoredText.Clean(Test.FullyQualifiedName)),
        DisplayName = StoredText.Clean(DisplayName),
        Agent = StoredText.Clean(Agent),
        Attempt = StoredText.Clean(Attempt),
        ErrorMessage = StoredText.CleanOrNull(ErrorMessage),
    };

    /// <summary>This result as a duration record for planning.</summary>
    public DurationRecord ToDurationRecord() => new(Test, DurationMillis, Outcome, FinishedAt);
}
