using BatchBuild.Core.Batches;

namespace BatchBuild.Core.Configuration;

/// <summary>Everything BatchBuild is configured with, read by <see cref="SettingsReader"/>.</summary>
/// <param name="BatchingStrategy">How tests are cut into test batches.</param>
/// <param name="DefaultDurationMillis">The expected duration of a test when no test has recorded durations.</param>
/// <param name="Workers">How many test batches run at once, or null for one per processor.</param>
/// <param name="BatchId">The batch ID set explicitly, or null to resolve it from the environment.</param>
/// <param name="StorePath">The embedded store's SQLite file, or null for the host's default.</param>
/// <param name="ExportApplitoolsBatchId">Whether tests also get the batch ID as <c>APPLITOOLS_BATCH_ID</c>.</param>
public sealed record BatchBuildSettings(
    BatchingStrategySettings BatchingStrategy,
    long DefaultDurationMillis,
    int? Workers,
    BatchId? BatchId,
    string? StorePath,
    bool ExportApplitoolsBatchId)
{
    /// <summary>
    /// The settings when nothing is configured: <c>isolate</c>, 90th percentile, 1 s default, one worker per processor.
    /// </summary>
    public static BatchBuildSettings Defaults { get; } = new(
        new BatchingStrategySettings(BatchingStrategyType.Isolate, null, null, 90, null, 0),
        DefaultDurationMillis: 1000,
        Workers: null,
        BatchId: null,
        StorePath: null,
        ExportApplitoolsBatchId: false);

    /// <summary>The configuration names of the strategy types.</summary>
    public static IReadOnlyDictionary<BatchingStrategyType, string> StrategyNames { get; } =
        new Dictionary<BatchingStrategyType, string>
        {
            [BatchingStrategyType.Isolate] = "isolate",
            [BatchingStrategyType.FixedSize] = "fixed-size",
            [BatchingStrategyType.ClassName] = "class-name",
        };

    /// <summary>How expected durations are estimated.</summary>
    public DurationSettings Durations =>
        new(BatchingStrategy.Percentile, BatchingStrategy.TimeLimit, DefaultDurationMillis);

    /// <summary>How batches close and notify.</summary>
    public BatchLifecycleSettings Lifecycle { get; init; } = BatchLifecycleSettings.Defaults;

    /// <summary>How failed and uncompleted tests run again, and when a test that ran more than once passed.</summary>
    public RetrySettings Retry { get; init; } = RetrySettings.Defaults;

    /// <summary>
    /// How long a test batch may run, and may go without a test result, before its test host is killed.
    /// </summary>
    public TimeoutSettings Timeouts { get; init; } = TimeoutSettings.Defaults;

    /// <summary>Whether tests known to be flaky are scheduled more than once up front.</summary>
    public FlakinessSettings Flakiness { get; init; } = FlakinessSettings.Defaults;

    /// <summary>Which test batches run first.</summary>
    public SortingStrategyType Sorting { get; init; } = SortingStrategyType.ExecutionTime;

    /// <summary>Which agent this is, of how many, and how they share the tests.</summary>
    public AgentSettings Agents { get; init; } = AgentSettings.Defaults;

    /// <summary>The number of workers to run, given the machine's processor count.</summary>
    public int EffectiveWorkers(int processorCount) => Workers ?? Math.Max(1, processorCount);
}
