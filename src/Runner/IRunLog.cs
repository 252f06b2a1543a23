using BatchBuild.Core;

namespace BatchBuild.Runner;

/// <summary>Where a project's run reports its progress: the build log of a task, or the launcher's log.</summary>
internal interface IRunLog
{
    /// <summary>A line of progress; <paramref name="important"/> lines show at the default verbosity.</summary>
    void Say(string text, bool important = true);

    /// <summary>A coded warning or error.</summary>
    void Report(Diagnostic diagnostic);
}
