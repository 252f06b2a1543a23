using BatchBuild.Core;
using Microsoft.Data.Sqlite;

namespace BatchBuild.Store;

/// <summary>The embedded store: a <see cref="SqlBatchStore"/> on one SQLite file.</summary>
public static class SqliteBatchStore
{
    // SQLite's primary result codes for a file whose content is damaged and for one that is not a
    // database at all.
    private const int SqliteCorrupt = 11;
    private const int SqliteNotADatabase = 26;
    private const int SqliteIoError = 10;

    // How long a process waits for another one that is repairing the same store.
    private static readonly TimeSpan RepairLockTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Opens the store at <paramref name="path"/>, creating the file, its folder and its schema
    /// when missing. A file SQLite reports as damaged or not a database is moved aside (with its
    /// <c>-wal</c> and <c>-shm</c> files) and a new store takes its place, so that a run goes on
    /// without its history; <paramref name="report"/> then gets a BB2002 warning. Throws
    /// <see cref="StoreException"/> with a BB code when the file cannot be used.
    /// </summary>
    public static SqlBatchStore Open(
        string path,
        BatchStoreOptions? options = null,
        bool pooling = false,
        Action<Diagnostic>? report = null)
    {
        // Microsoft.Data.Sqlite finds its native provider by type name, which fails where the
        // store is loaded into an isolated load context (an MSBuild task in a host that loaded
        // SQLite too); initialising the bundle directly works everywhere.
        SQLitePCL.Batteries_V2.Init();
        try
        {
            var full = System.IO.Path.GetFullPath(path);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            try
            {
                return OpenFile(full, options, pooling);
            }
            catch (SqliteException e) when (IsDamaged(e) || e.SqliteErrorCode == SqliteIoError)
            {
                // An I/O error here may be another process moving a damaged store aside while
                // this one opened it (its -wal or -shm file vanished): look again under the
                // repair lock, after that process is done. A lasting I/O error fails there.
                return Repair(full, options, pooling, report);
            }
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw new StoreException(
                DiagnosticCodes.StoreUnavailable,
                $"the store '{path}' cannot be opened ({e.Message}); "
                + "check that the folder is writable, or move the store with BatchBuildStore",
                e);
        }
    }

    private static SqlBatchStore OpenFile(string full, BatchStoreOptions? options, bool pooling)
    {
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = pooling,
            DefaultTimeout = 60,
        }.ToString();
        var source = SqliteFactory.Instance.CreateDataSource(connectionString);
        SqlBatchStore store;
        try
        {
            store = SqlBatchStore.OpenAsync(source, new SqliteDialect(full), options).GetAwaiter().GetResult();
        }
        catch
        {
            source.Dispose();
            throw;
        }

        try
        {
            // Opening reads little more than the header; these reads reach both tables' pages,
            // so that a file cut short is found now rather than by the run's first write.
            using var connection = new SqliteConnection(connectionString);
            connection.Open();
            using var probe = connection.CreateCommand();
            probe.CommandText = """
                SELECT (SELECT MAX(id) FROM batches), (SELECT MAX(id) FROM test_results),
                       (SELECT COUNT(*) FROM batches WHERE state = 'Active'), (SELECT MIN(id) FROM test_results);
                """;
            probe.ExecuteNonQuery();
            return store;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    private static bool IsDamaged(SqliteException e) => e.SqliteErrorCode is SqliteCorrupt or SqliteNotADatabase;

    // Processes of one run open the store at once: one of them repairs it under a lock file beside
    // it, and each looks again under the lock, so that none moves aside the new store another one
    // has just created.
    private static SqlBatchStore Repair(
        string full, BatchStoreOptions? options, bool pooling, Action<Diagnostic>? report)
    {
        using var repairing = TakeRepairLock(full);
        SqliteConnection.ClearAllPools();
        try
        {
            return OpenFile(full, options, pooling);
        }
        catch (SqliteException e) when (IsDamaged(e))
        {
            SqliteConnection.ClearAllPools();
            var aside = MoveAside(full);
            var store = OpenFile(full, options, pooling);
            report?.Invoke(Diagnostic.Warning(
                DiagnosticCodes.DamagedStore,
                $"the store '{full}' is damaged ({e.Message}); it was moved to '{aside}' "
                + "and a new, empty store was created in its place, "
                + "so this run goes on without the recorded history (durations, batches)"));
            return store;
        }
    }

    private static FileStream TakeRepairLock(string full)
    {
        var lockPath = full + ".repair.lock";
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (waited.Elapsed < RepairLockTimeout && File.Exists(lockPath))
            {
                Thread.Sleep(50);
            }
        }
    }

    // Moves the store and its companions to <name>.damaged-<UTC time>, a name no earlier move took.
    private static string MoveAside(string full)
    {
        var stamp = DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
        var aside = $"{full}.damaged-{stamp}";
        for (var n = 2; File.Exists(aside); n++)
        {
            aside = $"{full}.damaged-{stamp}-{n}";
        }

        File.Move(full, aside);
        foreach (var companion in new[] { "-wal", "-shm" })
        {
            if (File.Exists(full + companion))
            {
                File.Move(full + companion, aside + companion, overwrite: true);
            }
        }

        return aside;
    }
}
