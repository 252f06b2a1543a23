using BatchBuild.Core;
using BatchBuild.Core.Store;

namespace BatchBuild.Store;

/// <summary>Opens the store that settings point at.</summary>
public static class Stores
{
    /// <summary>
    /// Opens the embedded SQLite store at <paramref name="path"/>; <paramref name="report"/> gets
    /// the warning when a damaged store had to be replaced.
    /// </summary>
    public static IBatchStore Open(
        string path, BatchStoreOptions? options = null, Action<Diagnostic>? report = null) =>
        SqliteBatchStore.Open(path, options, report: report);
}
