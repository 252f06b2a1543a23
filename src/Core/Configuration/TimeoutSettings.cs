namespace BatchBuild.Core.Configuration;

/// <summary>The time limits of one test batch's run: when one passes, its test host is killed.</summary>
/// <param name="TestBatchTimeoutMillis">The longest a test batch may run.</param>
/// <param name="TestOutputTimeoutMillis">The longest a test batch may go without a test result.</param>
public sealed record TimeoutSettings(long TestBatchTimeoutMillis, long TestOutputTimeoutMillis)
{
    /// <summary>30 minutes per test batch, 5 minutes without a result.</summary>
    public static TimeoutSettings Defaults { get; } = new(30 * 60 * 1000, 5 * 60 * 1000);
}
