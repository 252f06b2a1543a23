namespace BatchBuild.Core;

/// <summary>
/// Everything BatchBuild reports, from Core to every host: a problem with what the user gave it,
/// or a step's progress. Problems carry a <c>BBnnnn</c> code and say what is wrong and how to fix
/// it; each host has one sink that turns a diagnostic into its own log entry (the MSBuild log, the
/// collector's log, the server's logger, the console of <c>dotnet test</c>'s last step).
/// </summary>
/// <param name="Code">The <c>BBnnnn</c> code, listed in docs/diagnostics.md; null only for information.</param>
/// <param name="Severity">Error, warning or information.</param>
/// <param name="Setting">Where the value came from (a runsettings element, an MSBuild property or an environment
/// variable), or null when no setting is at fault.</param>
/// <param name="Message">What happened, and for a problem what is wrong and how to fix it.</param>
/// <param name="File">The file the value came from, when it came from one.</param>
/// <param name="Line">The line in <paramref name="File"/>, or 0.</param>
public sealed record Diagnostic(
    string? Code,
    DiagnosticSeverity Severity,
    string? Setting,
    string Message,
    string? File = null,
    int Line = 0)
{
    /// <summary>Progress for the log.</summary>
    public static Diagnostic Info(string message) => new(null, DiagnosticSeverity.Information, null, message);

    /// <summary>A problem that does not stop the run.</summary>
    public static Diagnostic Warning(string code, string message) =>
        new(code, DiagnosticSeverity.Warning, null, message);

    /// <summary>A problem that stops the run.</summary>
    public static Diagnostic Error(string code, string message) => new(code, DiagnosticSeverity.Error, null, message);

    /// <summary>The message, after the setting it is about when there is one.</summary>
    public string Text => Setting is null ? Message : $"{Setting}: {Message}";

    /// <summary>
    /// Formats the diagnostic the way compilers and MSBuild print theirs; information is its text alone.
    /// </summary>
    public override string ToString()
    {
        if (Severity == DiagnosticSeverity.Information)
        {
            return Text;
        }

        var place = File is null ? string.Empty : Line > 0 ? $"{File}({Line}): " : $"{File}: ";
        var severity = Severity == DiagnosticSeverity.Error ? "error" : "warning";
        return $"{place}{severity} {Code}: {Text}";
    }
}
