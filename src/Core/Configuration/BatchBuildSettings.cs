using System.Collections.Immutable;
using BatchBuild.Core.Batches;

namespace BatchBuild.Core.Configuration;

/// <summary>The batching strategy types, named as in configuration.</summary>
public enum BatchingStrategyType
{
    /// <summary><c>isolate</c>: one test per test batch.</summary>
    Isolate,

    /// <summary><c>fixed-size</c>: at most <c>size</c> tests per test batch, optionally capped by duration.</summary>
    FixedSize,

    /// <summary><c>class-name</c>: one test batch per test class.</summary>
    ClassName,
}

/// <summary>The batching strategy and its parameters, as Marathon's <c>batchingStrategy</c> names them.</summary>
/// <param name="Type">Which strategy cuts the test batches.</param>
/// <param name="Size">The most tests in one test batch (<c>fixed-size</c> only; required there).</param>
/// <param name="DurationMillis">The most expected milliseconds in one test batch, or null for no cap.</param>
/// <param name="Percentile">Which percentile of a test's recorded durations is its expected duration, in (0, 100].</param>
/// <param name="TimeLimit">How far back recorded durations count, or null for all of them.</param>
/// <param name="LastMileLength">When fewer tests than this remain, each test batch holds one test.</param>
public sealed record BatchingStrategySettings(
    BatchingStrategyType Type,
    int? Size,
    long? DurationMillis,
    double Percentile,
    TimeLimit? TimeLimit,
    int LastMileLength)
{
    /// <summary>The configuration name of <see cref="Type"/>.</summary>
    public string TypeName => BatchBuildSettings.StrategyNames[Type];
}

/// <summary>How expected durations are estimated from recorded ones.</summary>
/// <param name="Percentile">Which percentile of a test's recorded durations is its expected duration.</param>
/// <param name="TimeLimit">How far back recorded durations count, or null for all of them.</param>
/// <param name="DefaultDurationMillis">The estimate when nothing at all is recorded.</param>
public sealed record DurationSettings(double Percentile, TimeLimit? TimeLimit, long DefaultDurationMillis);

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
    /// <summary>The settings when nothing is configured: <c>isolate</c>, 90th percentile, 1 s default, one worker per processor.</summary>
    public static BatchBuildSettings Defaults { get; } = new(
        new BatchingStrategySettings(BatchingStrategyType.Isolate, null, null, 90, null, 0),
        DefaultDurationMillis: 1000,
        Workers: null,
        BatchId: null,
        StorePath: null,
        ExportApplitoolsBatchId: false);

    /// <summary>The configuration names of the strategy types.</summary>
    public static IReadOnlyDictionary<BatchingStrategyType, string> StrategyNames { get; } = new Dictionary<BatchingStrategyType, string>
    {
        [BatchingStrategyType.Isolate] = "isolate",
        [BatchingStrategyType.FixedSize] = "fixed-size",
        [BatchingStrategyType.ClassName] = "class-name",
    };

    /// <summary>How expected durations are estimated.</summary>
    public DurationSettings Durations => new(BatchingStrategy.Percentile, BatchingStrategy.TimeLimit, DefaultDurationMillis);

    /// <summary>How batches close and notify.</summary>
    public BatchLifecycleSettings Lifecycle { get; init; } = BatchLifecycleSettings.Defaults;

    /// <summary>How failed and uncompleted tests run again, and when a test that ran more than once passed.</summary>
    public RetrySettings Retry { get; init; } = RetrySettings.Defaults;

    /// <summary>The number of workers to run, given the machine's processor count.</summary>
    public int EffectiveWorkers(int processorCount) => Workers ?? Math.Max(1, processorCount);
}

/// <summary>How batches close, where their completion is announced, and which server closes them.</summary>
/// <param name="Limits">When the store closes an idle or old batch by itself.</param>
/// <param name="NotifyOnCompletion">Whether closing a batch sends its completion notification.</param>
/// <param name="SummaryPath">Where the completion document is written as JSON, or null.</param>
/// <param name="WebhookUrls">Where the completion document is posted.</param>
/// <param name="DontCloseBatch">Whether <c>dotnet test</c> leaves the batch open for a later step to close.</param>
/// <param name="ServerUrl">The batch server, or null for the embedded store.</param>
/// <param name="ApiKey">The server's API key, or null.</param>
/// <param name="Proxy">The proxy to reach the server through, or null; user and password may be in its URL.</param>
public sealed record BatchLifecycleSettings(
    BatchLimits Limits,
    bool NotifyOnCompletion,
    string? SummaryPath,
    ImmutableArray<Uri> WebhookUrls,
    bool DontCloseBatch,
    Uri? ServerUrl,
    string? ApiKey,
    Uri? Proxy)
{
    /// <summary>3 hours idle, 3 days old, notify, no summary file or webhook, close after the tests, embedded store.</summary>
    public static BatchLifecycleSettings Defaults { get; } = new(BatchLimits.Default, true, null, [], false, null, null, null);
}

/// <summary>Marathon's retry strategy types.</summary>
public enum RetryStrategyType
{
    /// <summary>A failed test is not run again.</summary>
    NoRetry,

    /// <summary>A failed test runs again within a quota per test and a quota for the run.</summary>
    FixedQuota,
}

/// <summary>
/// The retry strategy, the uncompleted-test quota and the execution mode, with Marathon's keys
/// and defaults (<c>fixed-quota</c>: 200 retries for the run, 3 per test).
/// </summary>
/// <param name="Type">The retry strategy.</param>
/// <param name="TotalAllowedRetryQuota">With <c>fixed-quota</c>, the retries of the whole run.</param>
/// <param name="RetryPerTestQuota">With <c>fixed-quota</c>, the retries of one test.</param>
/// <param name="UncompletedTestRetryQuota">How often a test whose test host died before it reported runs again.</param>
/// <param name="Mode">When a test that ran more than once counts as passed.</param>
public sealed record RetrySettings(RetryStrategyType Type, int TotalAllowedRetryQuota, int RetryPerTestQuota, int UncompletedTestRetryQuota, Running.ExecutionMode Mode)
{
    /// <summary><c>no-retry</c>, one more run for an uncompleted test, <c>any-success</c>.</summary>
    public static RetrySettings Defaults { get; } = new(RetryStrategyType.NoRetry, 200, 3, 1, Running.ExecutionMode.AnySuccess);

    /// <summary>The configuration names of the retry strategy types.</summary>
    public static IReadOnlyDictionary<RetryStrategyType, string> TypeNames { get; } = new Dictionary<RetryStrategyType, string>
    {
        [RetryStrategyType.NoRetry] = "no-retry",
        [RetryStrategyType.FixedQuota] = "fixed-quota",
    };

    /// <summary>The configuration names of the execution modes.</summary>
    public static IReadOnlyDictionary<Running.ExecutionMode, string> ModeNames { get; } = new Dictionary<Running.ExecutionMode, string>
    {
        [Running.ExecutionMode.AnySuccess] = "any-success",
        [Running.ExecutionMode.AllSuccess] = "all-success",
    };

    /// <summary>The quotas the run keeps to.</summary>
    public Running.RetryPolicy Policy => Type == RetryStrategyType.NoRetry
        ? new Running.RetryPolicy(0, 0, UncompletedTestRetryQuota)
        : new Running.RetryPolicy(TotalAllowedRetryQuota, RetryPerTestQuota, UncompletedTestRetryQuota);
}
