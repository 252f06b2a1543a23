using BatchBuild.Client;
using BatchBuild.Core;
using BatchBuild.Core.Configuration;
using BatchBuild.Core.Store;
using BatchBuild.Store;

namespace BatchBuild.Lifecycle;

/// <summary>
/// Opens the store a test run records in: the batch server when one is configured, else the embedded file.
/// </summary>
public static class ResultStores
{
    /// <summary>
    /// The batch server at <see cref="BatchLifecycleSettings.ServerUrl"/> through <paramref name="http"/>
    /// (spooling beside <paramref name="storePath"/>), or the embedded store at <paramref name="storePath"/>.
    /// </summary>
    public static IResultStore Open(
        BatchLifecycleSettings settings,
        string storePath,
        HttpClient? http,
        Action<Diagnostic> report) =>
        settings.ServerUrl is { } server
            ? new ServerResultStore(
                http ?? throw new ArgumentNullException(nameof(http), "A server store needs an HTTP client."),
                server,
                settings.ApiKey,
                SpoolFor(storePath),
                report)
            : SqliteBatchStore.Open(storePath, BatchStoreOptions.For(settings), report: report);

    /// <summary>
    /// Where results wait when the server cannot be reached: <c>spool/</c> beside the embedded store's file.
    /// </summary>
    public static ResultSpool SpoolFor(string storePath) =>
        new(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(storePath))!, "spool"));
}
