namespace BatchBuild.Core.Configuration;

/// <summary>Marathon's retry strategy types.</summary>
public enum RetryStrategyType
{
    /// <summary>A failed test is not run again.</summary>
    NoRetry,

    /// <summary>A failed test runs again within a quota per test and a quota for the run.</summary>
    FixedQuota,
}
