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

    /// <summary>How long a test batch may run, and may go without a test result, before its test host is killed.</summary>
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
/// <param name="Fast">Whether a test's pending runs are dropped once it has passed (<c>ExecutionStrategy/Fast</c>).</param>
public sealed record RetrySettings(RetryStrategyType Type, int TotalAllowedRetryQuota, int RetryPerTestQuota, int UncompletedTestRetryQuota, Running.ExecutionMode Mode, bool Fast = false)
{
    /// <summary><c>no-retry</c>, one more run for an uncompleted test, <c>any-success</c>, not fast.</summary>
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

/// <summary>The time limits of one test batch's run: when one passes, its test host is killed.</summary>
/// <param name="TestBatchTimeoutMillis">The longest a test batch may run.</param>
/// <param name="TestOutputTimeoutMillis">The longest a test batch may go without a test result.</param>
public sealed record TimeoutSettings(long TestBatchTimeoutMillis, long TestOutputTimeoutMillis)
{
    /// <summary>30 minutes per test batch, 5 minutes without a result.</summary>
    public static TimeoutSettings Defaults { get; } = new(30 * 60 * 1000, 5 * 60 * 1000);
}

/// <summary>Marathon's flakiness strategy types.</summary>
public enum FlakinessStrategyType
{
    /// <summary>Every test is scheduled once.</summary>
    Ignore,

    /// <summary>A test with a low recorded pass rate is scheduled as often as it takes to pass with <c>MinSuccessRate</c> probability.</summary>
    Probability,
}

/// <summary>
/// The flakiness strategy, with Marathon's keys and defaults: a test whose recorded pass rate
/// within <paramref name="TimeLimit"/> is below <paramref name="MinSuccessRate"/> is scheduled up
/// front as many times as it takes for at least one pass to be that likely, at most
/// <paramref name="MaxCount"/> times, each run in a different test batch.
/// </summary>
/// <param name="Type">The flakiness strategy.</param>
/// <param name="MinSuccessRate">The chance of at least one pass to reach, in (0, 1].</param>
/// <param name="MaxCount">The most runs of one test scheduled up front.</param>
/// <param name="TimeLimit">How far back recorded results count, or null for all of them.</param>
public sealed record FlakinessSettings(FlakinessStrategyType Type, double MinSuccessRate, int MaxCount, TimeLimit? TimeLimit)
{
    /// <summary><c>ignore</c>; with <c>probability</c>, 0.8 and at most 3 runs over all recorded results.</summary>
    public static FlakinessSettings Defaults { get; } = new(FlakinessStrategyType.Ignore, 0.8, 3, null);

    /// <summary>The configuration names of the flakiness strategy types.</summary>
    public static IReadOnlyDictionary<FlakinessStrategyType, string> TypeNames { get; } = new Dictionary<FlakinessStrategyType, string>
    {
        [FlakinessStrategyType.Ignore] = "ignore",
        [FlakinessStrategyType.Probability] = "probability",
    };

    /// <summary>
    /// How many times a test with recorded pass rate <paramref name="passRate"/> is scheduled: once
    /// under <c>ignore</c>, or when its rate is unknown or reaches <see cref="MinSuccessRate"/>;
    /// else the fewest runs n with 1 - (1 - rate)^n at least <see cref="MinSuccessRate"/>, at most
    /// <see cref="MaxCount"/>.
    /// </summary>
    public int RunsFor(double? passRate)
    {
        if (Type == FlakinessStrategyType.Ignore || passRate is not { } rate || rate >= MinSuccessRate)
        {
            return 1;
        }

        if (rate <= 0)
        {
            return Math.Max(1, MaxCount);
        }

        var runs = 1;
        while (runs < MaxCount && 1 - Math.Pow(1 - rate, runs) < MinSuccessRate - 1e-9)
        {
            runs++;
        }

        return Math.Max(1, runs);
    }
}

/// <summary>Marathon's sorting strategy types: which test batches run first.</summary>
public enum SortingStrategyType
{
    /// <summary>The longest expected test batch first.</summary>
    ExecutionTime,

    /// <summary>The test batch with the least reliable test first, then the longest.</summary>
    SuccessRate,
}

/// <summary>The configuration names of the sorting strategy types.</summary>
public static class SortingStrategyNames
{
    /// <summary>Each type's name.</summary>
    public static IReadOnlyDictionary<SortingStrategyType, string> All { get; } = new Dictionary<SortingStrategyType, string>
    {
        [SortingStrategyType.ExecutionTime] = "execution-time",
        [SortingStrategyType.SuccessRate] = "success-rate",
    };
}

/// <summary>The agent settings: all null unless set, so that the CI's parallel-job variables and the defaults apply.</summary>
/// <param name="Index">This agent's position, from 1.</param>
/// <param name="Count">How many agents run the batch.</param>
/// <param name="Distribution">
/// How the agents share the tests; by default, with more than one agent, <c>queue</c> with a batch
/// server and <c>static</c> without one.
/// </param>
public sealed record AgentSettings(int? Index, int? Count, Agents.DistributionType? Distribution)
{
    /// <summary>Nothing set.</summary>
    public static AgentSettings Defaults { get; } = new(null, null, null);

    /// <summary>How <paramref name="agents"/> agents share the tests, with or without a batch server.</summary>
    public Agents.DistributionType DistributionFor(int agents, bool server) =>
        agents <= 1 ? Agents.DistributionType.None
        : Distribution ?? (server ? Agents.DistributionType.Queue : Agents.DistributionType.Static);
}
