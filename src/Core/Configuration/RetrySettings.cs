namespace BatchBuild.Core.Configuration;

/// <summary>
/// The retry strategy, the uncompleted-test quota and the execution mode, with Marathon's keys
/// and defaults (<c>fixed-quota</c>: 200 retries for the run, 3 per test).
/// </summary>
/// <param name="Type">The retry strategy.</param>
/// <param name="TotalAllowedRetryQuota">With <c>fixed-quota</c>, the retries of the whole run.</param>
/// <param name="RetryPerTestQuota">With <c>fixed-quota</c>, the retries of one test.</param>
/// <param name="UncompletedTestRetryQuota">How often a test whose test host died before it reported runs again.</param>
/// <param name="Mode">When a test that ran more than once counts as passed.</param>
/// <param name="Fast">Whether a test's pending runs are dropped once it has passed
/// (<c>ExecutionStrategy/Fast</c>).</param>
public sealed record RetrySettings(
    RetryStrategyType Type,
    int TotalAllowedRetryQuota,
    int RetryPerTestQuota,
    int UncompletedTestRetryQuota,
    Running.ExecutionMode Mode,
    bool Fast = false)
{
    /// <summary><c>no-retry</c>, one more run for an uncompleted test, <c>any-success</c>, not fast.</summary>
    public static RetrySettings Defaults { get; } = new(
        RetryStrategyType.NoRetry,
        200,
        3,
        1,
        Running.ExecutionMode.AnySuccess);

    /// <summary>The configuration names of the retry strategy types.</summary>
    public static IReadOnlyDictionary<RetryStrategyType, string> TypeNames { get; } =
        new Dictionary<RetryStrategyType, string>
        {
            [RetryStrategyType.NoRetry] = "no-retry",
            [RetryStrategyType.FixedQuota] = "fixed-quota",
        };

    /// <summary>The configuration names of the execution modes.</summary>
    public static IReadOnlyDictionary<Running.ExecutionMode, string> ModeNames { get; } =
        new Dictionary<Running.ExecutionMode, string>
        {
            [Running.ExecutionMode.AnySuccess] = "any-success",
            [Running.ExecutionMode.AllSuccess] = "all-success",
        };

    /// <summary>The quotas the run keeps to.</summary>
    public Running.RetryPolicy Policy => Type == RetryStrategyType.NoRetry
        ? new Running.RetryPolicy(0, 0, UncompletedTestRetryQuota)
        : new Running.RetryPolicy(TotalAllowedRetryQuota, RetryPerTestQuota, UncompletedTestRetryQuota);
}
