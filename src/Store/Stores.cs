using BatchBuild.Core.Store;

namespace BatchBuild.Store;

/// <summary>Opens the store that settings point at.</summary>
public static class Stores
{
    /// <summary>Opens the embedded SQLite store at <paramref name="path"/>.</summary>
    public static IBatchStore Open(string path, BatchStoreOptions? options = null) => SqliteBatchStore.Open(path, options);
}
