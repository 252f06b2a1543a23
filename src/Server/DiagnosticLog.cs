using BatchBuild.Core;

namespace BatchBuild.Server;

/// <summary>The server's one sink for diagnostics: its logger.</summary>
internal static class DiagnosticLog
{
    /// <summary>Logs <paramref name="diagnostic"/> at the level of its severity, with its code.</summary>
    public static void Report(this ILogger log, Diagnostic diagnostic)
    {
        var level = diagnostic.Severity switch
        {
            DiagnosticSeverity.Error => LogLevel.Error,
            DiagnosticSeverity.Warning => LogLevel.Warning,
            _ => LogLevel.Information,
        };
        if (diagnostic.Code is null)
        {
            log.Log(level, "{Message}", diagnostic.Text);
        }
        else
        {
            log.Log(level, "{Code}: {Message}", diagnostic.Code, diagnostic.Text);
        }
    }
}
