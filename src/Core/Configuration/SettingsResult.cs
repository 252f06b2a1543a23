using System.Collections.Immutable;

namespace BatchBuild.Core.Configuration;

/// <summary>The settings read, or null when any error was found, and every problem met.</summary>
public sealed record SettingsResult(BatchBuildSettings? Settings, ImmutableArray<Diagnostic> Diagnostics)
{
    /// <summary>The errors among <see cref="Diagnostics"/>.</summary>
    public IEnumerable<Diagnostic> Errors => Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error);
}
