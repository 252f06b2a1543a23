namespace BatchBuild.Core;

/// <summary>How serious a <see cref="Diagnostic"/> is.</summary>
public enum DiagnosticSeverity
{
    /// <summary>Stops the run (or fails the step) it is reported in.</summary>
    Error,

    /// <summary>Something went wrong that does not stop the run.</summary>
    Warning,

    /// <summary>Progress: what happened, for the log.</summary>
    Information,
}
