using BatchBuild.Core.Store;

namespace BatchBuild.Store;

/// <summary>
/// The results of one batch ID, for the active batch whose key (<c>batches.id</c>) is <paramref name="Key"/>.
/// </summary>
/// <param name="Key">The batch's key.</param>
/// <param name="Results">Its results, in the order they were reported.</param>
public sealed record BatchResults(long Key, IReadOnlyList<TestResultRecord> Results);
