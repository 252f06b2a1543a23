using BatchBuild.Core;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Configuration;
using Microsoft.Data.Sqlite;

namespace BatchBuild.Store;

/// <summary>The embedded store: a <see cref="SqlBatchStore"/> on one SQLite file.</summary>
public static class SqliteBatchStore
{
    /// <summary>
    /// Opens the store at <paramref name="path"/>, creating the file, its folder and its schema
    /// when missing. Throws <see cref="StoreException"/> with a BB code when the file cannot be used.
    /// </summary>
    public static SqlBatchStore Open(string path, BatchStoreOptions? options = null, bool pooling = false)
    {
        // Microsoft.Data.Sqlite finds its native provider by type name, which fails where the
        // store is loaded into an isolated load context (an MSBuild task in a host that loaded
        // SQLite too); initialising the bundle directly works everywhere.
        SQLitePCL.Batteries_V2.Init();
        try
        {
            var full = System.IO.Path.GetFullPath(path);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            var source = SqliteFactory.Instance.CreateDataSource(new SqliteConnectionStringBuilder
            {
                DataSource = full,
                Mode = SqliteOpenMode.ReadWriteCreate,
                Pooling = pooling,
                DefaultTimeout = 60,
            }.ToString());
            return SqlBatchStore.OpenAsync(source, new SqliteDialect(full), options).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw new StoreException(
                DiagnosticCodes.StoreUnavailable,
                $"the store '{path}' cannot be opened ({e.Message}); check that the folder is writable, or move the store with BatchBuildStore",
                e);
        }
    }
}

/// <summary>How a store closes and notifies batches, and its clock.</summary>
/// <param name="Limits">When an active batch closes by itself.</param>
/// <param name="NotifyOnCompletion">Whether batches this store starts notify when they close.</param>
/// <param name="Clock">The time source; tests move it by hand.</param>
public sealed record BatchStoreOptions(BatchLimits Limits, bool NotifyOnCompletion, TimeProvider Clock)
{
    /// <summary>The longest a failed notification waits before it is claimed again.</summary>
    public static readonly TimeSpan MaxNotificationRetryDelay = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a notification whose delivery failed waits before it is claimed again; the wait
    /// doubles with every failure, up to <see cref="MaxNotificationRetryDelay"/>. Zero (the
    /// embedded store's default): the next close or run may retry it at once.
    /// </summary>
    public TimeSpan NotificationRetryDelay { get; init; } = TimeSpan.Zero;

    /// <summary>The wait after the <paramref name="failures"/>th failed delivery (1 for the first).</summary>
    public TimeSpan RetryDelayAfter(int failures) =>
        NotificationRetryDelay <= TimeSpan.Zero
            ? TimeSpan.Zero
            : TimeSpan.FromTicks(Math.Min(MaxNotificationRetryDelay.Ticks, NotificationRetryDelay.Ticks * (1L << Math.Clamp(failures - 1, 0, 20))));

    /// <summary>Default limits, notifying, the system clock.</summary>
    public static BatchStoreOptions Default { get; } = new(BatchLimits.Default, true, TimeProvider.System);

    /// <summary>The options <paramref name="lifecycle"/> configures, on the system clock.</summary>
    public static BatchStoreOptions For(BatchLifecycleSettings lifecycle) =>
        new(lifecycle.Limits, lifecycle.NotifyOnCompletion, TimeProvider.System);
}

/// <summary>A store that cannot be used, with the BB code and a message that says how to fix it.</summary>
public sealed class StoreException(string code, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The <c>BBnnnn</c> code.</summary>
    public string Code { get; } = code;

    /// <summary>What to report: an error with the code and the message.</summary>
    public Diagnostic Diagnostic => Diagnostic.Error(Code, Message);
}
