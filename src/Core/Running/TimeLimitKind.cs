namespace BatchBuild.Core.Running;

/// <summary>Which time limit of a test batch passed.</summary>
public enum TimeLimitKind
{
    /// <summary><c>TestBatchTimeoutMillis</c>: the test batch ran too long.</summary>
    TestBatch,

    /// <summary><c>TestOutputTimeoutMillis</c>: the test batch went too long without a test result.</summary>
    TestOutput,
}
