namespace BatchBuild.Core.Durations;

/// <summary>How a recorded test run ended.</summary>
public enum TestRunOutcome
{
    /// <summary>The test passed.</summary>
    Passed,

    /// <summary>The test failed.</summary>
    Failed,

    /// <summary>The test was skipped or ignored; its duration says nothing about a real run.</summary>
    Skipped,

    /// <summary>The test was selected but not found, or the run ended without a result.</summary>
    None,
}
