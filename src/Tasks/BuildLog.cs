using BatchBuild.Runner;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace BatchBuild.Tasks;

/// <summary>A project's run reporting in the build log.</summary>
internal sealed class BuildLog(TaskLoggingHelper log) : IRunLog
{
    /// <inheritdoc />
    public void Say(string text, bool important = true) =>
        log.LogMessage(important ? MessageImportance.High : MessageImportance.Normal, text);

    /// <inheritdoc />
    public void Report(Core.Diagnostic diagnostic) => log.Report(diagnostic);
}
