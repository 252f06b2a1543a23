namespace BatchBuild.Core.Batches;

/// <summary>
/// A data collector that took part in a run: the post-processing step runs its attachment processor.
/// </summary>
/// <param name="Uri">Its URI.</param>
/// <param name="FriendlyName">Its friendly name.</param>
/// <param name="AssemblyQualifiedName">Its type.</param>
/// <param name="FilePath">The assembly that holds it, as an absolute path.</param>
/// <param name="HasAttachmentProcessor">Whether it names an attachment processor.</param>
public sealed record HandoffCollector(
    string Uri,
    string FriendlyName,
    string AssemblyQualifiedName,
    string FilePath,
    bool HasAttachmentProcessor);
