namespace BatchBuild.Runner;

/// <summary>How a project's run ended.</summary>
internal enum ProjectRunStatus
{
    /// <summary>Its test batches ran; test failures are in the counts and the log.</summary>
    Ran,

    /// <summary>It could not run: a setting, the store or discovery failed, as the log says.</summary>
    Failed,

    /// <summary>
    /// The test platform could not list the tests to batch: the host runs them as it would without
    /// BatchBuild.
    /// </summary>
    NotBatched,
}
