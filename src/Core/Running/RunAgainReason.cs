namespace BatchBuild.Core.Running;

/// <summary>Why tests run again.</summary>
public enum RunAgainReason
{
    /// <summary>The test failed, and the retry quotas allow another run.</summary>
    Failed,

    /// <summary>The test was running when its test host crashed.</summary>
    Crashed,

    /// <summary>The test was running when its test host was killed for a time limit.</summary>
    TimedOut,

    /// <summary>The tests reported nothing: their test host died before they ran.</summary>
    Uncompleted,
}
