namespace BatchBuild.Core.Running;

/// <summary>How a test batch ended.</summary>
public enum TestBatchStatus
{
    /// <summary>Every test ran and none failed.</summary>
    Passed,

    /// <summary>Every test ran and at least one failed.</summary>
    Failed,

    /// <summary>
    /// Some test did not report a result, or the run failed without a failed test: the test host crashed or the run was
    /// aborted.
    /// </summary>
    Crashed,
}
