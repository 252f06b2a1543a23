namespace BatchBuild.Core.Batches;

/// <summary>One file a run attached, filed under the URI of the data collector that made it.</summary>
/// <param name="CollectorUri">
/// The data collector's URI, such as <c>datacollector://Microsoft/CodeCoverage/2.0</c>.
/// </param>
/// <param name="DisplayName">The name the attachments are shown under.</param>
/// <param name="Files">The files, as absolute paths.</param>
public sealed record HandoffAttachments(string CollectorUri, string DisplayName, IReadOnlyList<string> Files);
