using System.Data;
using System.Data.Common;
using System.Globalization;
using BatchBuild.Core;
using Microsoft.Data.Sqlite;

namespace BatchBuild.Store;

/// <summary>
/// SQLite: one file shared by every process of a run through its write-ahead log. A writing
/// transaction begins <c>IMMEDIATE</c>, taking the file's write lock; times are sortable UTC text.
/// </summary>
public sealed class SqliteDialect(string path) : SqlDialect
{
    private const int SchemaVersion = 8;

    private const string DigestFunction = "batchbuild_text_digest";

    /// <inheritdoc />
    public override string Description => $"the store '{path}'";

    /// <inheritdoc />
    public override async Task<DbTransaction> BeginWriteAsync(
        DbConnection connection, CancellationToken cancellationToken)
    {
        await Task.CompletedTask;
        return ((SqliteConnection)connection).BeginTransaction(deferred: false);
    }

    /// <inheritdoc />
    public override async Task<DbTransaction> BeginReadAsync(
        DbConnection connection, CancellationToken cancellationToken)
    {
        await Task.CompletedTask;
        return ((SqliteConnection)connection).BeginTransaction(IsolationLevel.Serializable, deferred: true);
    }

    /// <inheritdoc />
    public override async Task OnOpenAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA busy_timeout = 60000;";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    // Sortable text in UTC, so that SQL comparisons of timestamps are comparisons of time.
    /// <inheritdoc />
    public override object Time(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) =>
        DateTimeOffset.Parse(reader.GetString(ordinal), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    // The digests travel as a JSON array of hexadecimal strings, which json_each lists and unhex
    // turns back into the bytes; the IN list is searched through the column's index.
    /// <inheritdoc />
    public override string IsOneOf(string column, string parameter) =>
        $"{column} IN (SELECT unhex(value) FROM json_each({parameter}))";

    /// <inheritdoc />
    public override object DigestList(IReadOnlyCollection<byte[]> digests) =>
        $"[{string.Join(",", digests.Select(digest => $"\"{Convert.ToHexString(digest)}\""))}]";

    /// <inheritdoc />
    public override async Task MigrateAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            await wal.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var transaction = await BeginWriteAsync(connection, cancellationToken);
        await using var version = connection.CreateCommand();
        version.Transaction = transaction;
        version.CommandText = "PRAGMA user_version;";
        var current = Convert.ToInt32(
            await version.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        if (current > SchemaVersion)
        {
            throw new StoreException(
                DiagnosticCodes.StoreUnavailable,
                $"{Description} was written by a newer BatchBuild (schema {current}, this one knows {SchemaVersion}); "
                + "update the BatchBuild package or use another store");
        }

        if (current < 1)
        {
            await ExecuteAsync(transaction, """
                CREATE TABLE IF NOT EXISTS test_results (
                    id INTEGER PRIMARY KEY,
                    batch_id TEXT NOT NULL,
                    test_batch INTEGER NOT NULL,
                    assembly TEXT NOT NULL,
                    full_name TEXT NOT NULL,
                    display_name TEXT NOT NULL,
                    outcome TEXT NOT NULL,
                    duration_ms REAL NOT NULL,
                    finished_at TEXT NOT NULL,
                    agent TEXT NOT NULL);
                CREATE INDEX IF NOT EXISTS ix_test_results_test ON test_results (assembly, full_name, finished_at);
                CREATE INDEX IF NOT EXISTS ix_test_results_batch ON test_results (batch_id, test_batch);
                PRAGMA user_version = 1;
                """, cancellationToken);
        }

        if (current < 2)
        {
            // Batches and their lifecycle; results recorded before version 2 belong to no batch.
            await ExecuteAsync(transaction, """
                CREATE TABLE batches (
                    id INTEGER PRIMARY KEY,
                    batch_id TEXT NOT NULL,
                    sequence INTEGER NOT NULL,
                    state TEXT NOT NULL,
                    started_at TEXT NOT NULL,
                    last_activity_at TEXT NOT NULL,
                    closed_at TEXT,
                    close_reason TEXT,
                    notify INTEGER NOT NULL,
                    passed INTEGER, failed INTEGER, skipped INTEGER, test_batches INTEGER, agents INTEGER, test_ms REAL,
                    claimed_at TEXT,
                    notified_at TEXT,
                    UNIQUE (batch_id, sequence));
                CREATE UNIQUE INDEX ux_batches_active ON batches (batch_id) WHERE state = 'Active';
                ALTER TABLE test_results ADD COLUMN batch_key INTEGER REFERENCES batches (id);
                ALTER TABLE test_results ADD COLUMN error_message TEXT;
                CREATE INDEX ix_test_results_batch_key ON test_results (batch_key, outcome);
                PRAGMA user_version = 2;
                """, cancellationToken);
        }

        if (current < 3)
        {
            // One result per test and attempt in a batch (earlier results each count as their own
            // attempt); counts kept on every insert; a notification that failed waits before it is
            // claimed again.
            await ExecuteAsync(transaction, """
                ALTER TABLE test_results ADD COLUMN attempt TEXT NOT NULL DEFAULT '';
                UPDATE test_results SET attempt = 'row-' || id;
                CREATE UNIQUE INDEX ux_test_results_attempt ON test_results (batch_key, assembly, full_name, attempt);
                CREATE INDEX ix_batches_started ON batches (started_at);
                ALTER TABLE batches ADD COLUMN notify_attempts INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE batches ADD COLUMN notify_after TEXT;
                CREATE INDEX ix_test_results_run ON test_results (batch_key, attempt, agent, assembly, test_batch);
                CREATE INDEX ix_test_results_agent ON test_results (batch_key, agent);
                PRAGMA user_version = 3;
                """, cancellationToken);

            // Active batches' counts were computed when read; from now on they are kept on insert.
            await ExecuteAsync(
                transaction,
                $"UPDATE batches SET {SqlBatchStore.RecountAssignments(SqlBatchStore.Version3Counts)} "
                + "WHERE state = 'Active'",
                cancellationToken);
        }

        if (current < 4)
        {
            await ExecuteAsync(transaction, $"{Version4Indexes} PRAGMA user_version = 4;", cancellationToken);
        }

        if (current < 5)
        {
            // Flaky and retried tests, counted on insert like the others.
            await ExecuteAsync(transaction, $"{Version5Counts} PRAGMA user_version = 5;", cancellationToken);
        }

        if (current < 6)
        {
            await ExecuteAsync(
                transaction,
                $"{Version6Deliveries("INTEGER PRIMARY KEY", "TEXT")} PRAGMA user_version = 6;",
                cancellationToken);
        }

        if (current < 7)
        {
            // SQLite has no SHA-256 of its own: the migration lends it the store's.
            ((SqliteConnection)connection).CreateFunction(
                DigestFunction, (string text) => TextDigest.Of(text), isDeterministic: true);
            await ExecuteAsync(
                transaction,
                $"{Version7Digests("BLOB", column => $"{DigestFunction}({column})")} PRAGMA user_version = 7;",
                cancellationToken);
        }

        if (current < 8)
        {
            await ExecuteAsync(transaction, $"{Version8Reruns} PRAGMA user_version = 8;", cancellationToken);
        }

        await ExecuteAsync(transaction, Secrets, cancellationToken);
        await ExecuteAsync(
            transaction, StartCosts("INTEGER PRIMARY KEY", "TEXT", "REAL", "BLOB"), cancellationToken);
        await AddListDigestAsync(
            transaction,
            "SELECT COUNT(*) FROM pragma_table_info('start_costs') WHERE name = 'list_digest'",
            cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
