namespace BatchBuild.Core.Running;

/// <summary>
/// How failed and uncompleted tests run again, with Marathon's keys: a failed test runs again at
/// most <see cref="RetryPerTestQuota"/> times, all retries of a run together at most
/// <see cref="TotalAllowedRetryQuota"/> times; a test that reported nothing because its test host
/// died runs again at most <see cref="UncompletedTestRetryQuota"/> times, outside the retry quota.
/// </summary>
public sealed record RetryPolicy(int TotalAllowedRetryQuota, int RetryPerTestQuota, int UncompletedTestRetryQuota)
{
    /// <summary>Marathon's <c>no-retry</c>: failed tests are not run again; uncompleted ones once.</summary>
    public static RetryPolicy NoRetry { get; } = new(0, 0, 1);
}
