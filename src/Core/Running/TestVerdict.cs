namespace BatchBuild.Core.Running;

/// <summary>What a test came to over all its attempts.</summary>
public enum TestVerdict
{
    /// <summary>It passed (under <see cref="ExecutionMode.AnySuccess"/>, on some attempt).</summary>
    Passed,

    /// <summary>It passed, but another attempt failed.</summary>
    Flaky,

    /// <summary>It did not pass.</summary>
    Failed,

    /// <summary>Every attempt was skipped.</summary>
    Skipped,
}
