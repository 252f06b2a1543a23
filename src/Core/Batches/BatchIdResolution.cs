using System.Collections.Immutable;

namespace BatchBuild.Core.Batches;

/// <summary>The batch ID chosen and where it came from, or the problems that stopped the choice.</summary>
/// <param name="Id">The batch ID, or null when <paramref name="Diagnostics"/> hold an error.</param>
/// <param name="Origin">Where the ID came from, for the build log.</param>
/// <param name="Diagnostics">Problems with the values looked at.</param>
/// <param name="Attempt">Which attempt of its CI job the run is; a re-run joins the batch of the run it
/// re-runs.</param>
public sealed record BatchIdResolution(
    BatchId? Id,
    string Origin,
    ImmutableArray<Diagnostic> Diagnostics,
    RunAttempt Attempt);
