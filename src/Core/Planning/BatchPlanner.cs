using BatchBuild.Core.Configuration;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Strategies;
using BatchBuild.Core.Discovery;

namespace BatchBuild.Core.Planning;

/// <summary>Turns discovered tests and recorded durations into a queue of test batches.</summary>
public static class BatchPlanner
{
    /// <summary>
    /// Groups the discovered tests into selectable tests, estimates their durations from
    /// <paramref name="history"/>, sorts them longest first and returns the queue that cuts test
    /// batches with the configured strategy.
    /// </summary>
    public static TestBatchQueue CreateQueue(
        IEnumerable<DiscoveredTest> discovered,
        IEnumerable<DurationRecord> history,
        BatchBuildSettings settings,
        DateTimeOffset now)
    {
        var tests = SelectableTest.From(discovered);
        var estimates = DurationEstimator.Estimate(tests, history, settings.Durations, now);
        return new TestBatchQueue(new TestQueue(tests, estimates), BatchingStrategies.Create(settings.BatchingStrategy));
    }

    /// <summary>
    /// The queue for the discovered tests, estimated from the recorded <paramref name="durations"/>
    /// a store answered a <see cref="DurationQuery"/> with.
    /// </summary>
    public static TestBatchQueue CreateQueue(
        IReadOnlyList<SelectableTest> tests,
        IReadOnlyCollection<TestDuration> durations,
        BatchBuildSettings settings)
    {
        var estimates = DurationEstimator.Estimate(tests, durations, settings.Durations.DefaultDurationMillis);
        return new TestBatchQueue(new TestQueue(tests, estimates), BatchingStrategies.Create(settings.BatchingStrategy));
    }
}
