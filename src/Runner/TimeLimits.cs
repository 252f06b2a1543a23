namespace BatchBuild.Runner;

/// <summary>Which time limit of a test batch passed.</summary>
internal enum TimeLimitKind
{
    /// <summary><c>TestBatchTimeoutMillis</c>: the test batch ran too long.</summary>
    TestBatch,

    /// <summary><c>TestOutputTimeoutMillis</c>: the test batch went too long without a test result.</summary>
    TestOutput,
}

/// <summary>The time limits of one test batch's run, in milliseconds.</summary>
internal sealed record TestBatchLimits(long TestBatchMillis, long TestOutputMillis)
{
    /// <summary>No limit.</summary>
    public static TestBatchLimits None { get; } = new(long.MaxValue / 2, long.MaxValue / 2);
}
