using BatchBuild.Core;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace BatchBuild.Tasks;

/// <summary>The tasks' one sink for diagnostics: the MSBuild log.</summary>
internal static class DiagnosticLog
{
    /// <summary>
    /// Logs <paramref name="diagnostic"/>: information as a high-importance message, problems as
    /// warnings or errors with their code, file and line.
    /// </summary>
    public static void Report(this TaskLoggingHelper log, Diagnostic diagnostic)
    {
        switch (diagnostic.Severity)
        {
            case DiagnosticSeverity.Information:
                log.LogMessage(MessageImportance.High, diagnostic.Text);
                break;
            case DiagnosticSeverity.Warning:
                log.LogWarning(null, diagnostic.Code, null, diagnostic.File, diagnostic.Line, 0, 0, 0, diagnostic.Text);
                break;
            default:
                log.LogError(null, diagnostic.Code, null, diagnostic.File, diagnostic.Line, 0, 0, 0, diagnostic.Text);
                break;
        }
    }
}
