using System.Data;
using System.Data.Common;
using System.Globalization;
using BatchBuild.Core;
using Npgsql;

namespace BatchBuild.Store.Postgres;

/// <summary>
/// PostgreSQL, for a batch server that teams share. A writing transaction takes one
/// transaction-scoped advisory lock, so writers from every server instance take turns exactly as
/// SQLite's writers do and the lifecycle rules hold unchanged; reads never wait for it. Times are
/// <c>timestamptz</c>; the schema is created and migrated on start, under the same lock.
/// </summary>
public sealed class PostgresDialect(NpgsqlDataSource source) : SqlDialect
{
    private const int SchemaVersion = 8;

    // The advisory lock's key: "BatchBld" read as a 64-bit number.
    private const long WriteLock = 0x4261746368426C64;

    /// <inheritdoc />
    public override string Description
    {
        get
        {
            var builder = new NpgsqlConnectionStringBuilder(source.ConnectionString);
            return $"the PostgreSQL database '{builder.Database}' on {builder.Host}:{builder.Port}";
        }
    }

    /// <summary>Opens the store on the PostgreSQL database <paramref name="connectionString"/> names.</summary>
    public static async Task<SqlBatchStore> OpenAsync(
        string connectionString, BatchStoreOptions? options = null, CancellationToken cancellationToken = default)
    {
        NpgsqlDataSource source;
        try
        {
            source = NpgsqlDataSource.Create(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new StoreException(
                DiagnosticCodes.StoreUnavailable,
                $"the PostgreSQL connection string is not valid ({e.Message}); "
                + "see Npgsql's connection string parameters");
        }

        var dialect = new PostgresDialect(source);
        try
        {
            return await SqlBatchStore.OpenAsync(source, dialect, options, cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            var description = dialect.Description;
            await source.DisposeAsync();
            throw new StoreException(
                DiagnosticCodes.StoreUnavailable,
                $"{description} cannot be used ({e.Message}); "
                + "check the connection string, that the server runs and that the user may create tables",
                e);
        }
    }

    /// <inheritdoc />
    public override ResultInserter Results { get; } = new PostgresResultInserter();

    // Advisory lock waiters are granted the lock in the order they asked for it. The next writer
    // waits inside the server, so it starts the moment the current one commits instead of a
    // round trip or two later, which is a good part of a report's time under the lock. One
    // waiter is enough for that; more would only hold connections.
    /// <inheritdoc />
    public override int WritersAtTheLock => 2;

    /// <inheritdoc />
    public override async Task<DbTransaction> BeginWriteAsync(
        DbConnection connection, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT pg_advisory_xact_lock({WriteLock})";
        await command.ExecuteNonQueryAsync(cancellationToken);
        return transaction;
    }

    /// <inheritdoc />
    public override async Task<DbTransaction> BeginReadAsync(
        DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);

    /// <inheritdoc />
    public override object Time(DateTimeOffset time) => time.ToUniversalTime();

    /// <inheritdoc />
    public override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) =>
        reader.GetFieldValue<DateTimeOffset>(ordinal);

    /// <inheritdoc />
    public override string IsOneOf(string column, string parameter) => $"{column} = ANY({parameter})";

    /// <inheritdoc />
    public override object DigestList(IReadOnlyCollection<byte[]> digests) => digests.ToArray();

    /// <inheritdoc />
    public override async Task MigrateAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var transaction = await BeginWriteAsync(connection, cancellationToken);
        await ExecuteAsync(
            transaction, "CREATE TABLE IF NOT EXISTS batchbuild_schema (version INTEGER NOT NULL)", cancellationToken);
        await using var version = connection.CreateCommand();
        version.Transaction = transaction;
        version.CommandText = "SELECT MAX(version) FROM batchbuild_schema";
        var read = await version.ExecuteScalarAsync(cancellationToken);
        var current = read is DBNull or null ? 0 : Convert.ToInt32(read, CultureInfo.InvariantCulture);
        if (current > SchemaVersion)
        {
            throw new StoreException(
                DiagnosticCodes.StoreUnavailable,
                $"{Description} was written by a newer BatchBuild (schema {current}, this one knows {SchemaVersion}); "
                + "update the BatchBuild server");
        }

        if (current < 3)
        {
            // The first schema on PostgreSQL is the embedded store's version 3.
            await ExecuteAsync(transaction, """
                CREATE TABLE batches (
                    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    batch_id TEXT NOT NULL,
                    sequence INTEGER NOT NULL,
                    state TEXT NOT NULL,
                    started_at TIMESTAMPTZ NOT NULL,
                    last_activity_at TIMESTAMPTZ NOT NULL,
                    closed_at TIMESTAMPTZ,
                    close_reason TEXT,
                    notify INTEGER NOT NULL,
                    passed INTEGER NOT NULL, failed INTEGER NOT NULL, skipped INTEGER NOT NULL,
                    test_batches INTEGER NOT NULL, agents INTEGER NOT NULL, test_ms DOUBLE PRECISION NOT NULL,
                    claimed_at TIMESTAMPTZ,
                    notified_at TIMESTAMPTZ,
                    notify_attempts INTEGER NOT NULL DEFAULT 0,
                    notify_after TIMESTAMPTZ,
                    UNIQUE (batch_id, sequence));
                CREATE UNIQUE INDEX ux_batches_active ON batches (batch_id) WHERE state = 'Active';
                CREATE INDEX ix_batches_started ON batches (started_at);
                CREATE TABLE test_results (
                    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    batch_key BIGINT REFERENCES batches (id),
                    batch_id TEXT NOT NULL,
                    test_batch INTEGER NOT NULL,
                    assembly TEXT NOT NULL,
                    full_name TEXT NOT NULL,
                    display_name TEXT NOT NULL,
                    outcome TEXT NOT NULL,
                    duration_ms DOUBLE PRECISION NOT NULL,
                    finished_at TIMESTAMPTZ NOT NULL,
                    agent TEXT NOT NULL,
                    attempt TEXT NOT NULL,
                    error_message TEXT);
                CREATE UNIQUE INDEX ux_test_results_attempt ON test_results (batch_key, assembly, full_name, attempt);
                CREATE INDEX ix_test_results_test ON test_results (assembly, full_name, finished_at);
                CREATE INDEX ix_test_results_run ON test_results (batch_key, attempt, agent, assembly, test_batch);
                CREATE INDEX ix_test_results_agent ON test_results (batch_key, agent);
                INSERT INTO batchbuild_schema (version) VALUES (3);
                """, cancellationToken);
        }

        if (current < 4)
        {
            await ExecuteAsync(
                transaction,
                $"{Version4Indexes} INSERT INTO batchbuild_schema (version) VALUES (4);",
                cancellationToken);
        }

        if (current < 5)
        {
            await ExecuteAsync(
                transaction,
                $"{Version5Counts} INSERT INTO batchbuild_schema (version) VALUES (5);",
                cancellationToken);
        }

        if (current < 6)
        {
            var deliveries = Version6Deliveries("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "TIMESTAMPTZ");
            await ExecuteAsync(
                transaction, $"{deliveries} INSERT INTO batchbuild_schema (version) VALUES (6);", cancellationToken);
        }

        if (current < 7)
        {
            const string filled = """
                ALTER TABLE test_results
                    ALTER COLUMN assembly_digest SET NOT NULL, ALTER COLUMN name_digest SET NOT NULL,
                    ALTER COLUMN agent_digest SET NOT NULL, ALTER COLUMN attempt_digest SET NOT NULL;
                """;
            await ExecuteAsync(
                transaction,
                $"{Version7Digests("BYTEA", column => $"sha256(convert_to({column}, 'UTF8'))", filled)} "
                + "INSERT INTO batchbuild_schema (version) VALUES (7);",
                cancellationToken);
        }

        if (current < 8)
        {
            await ExecuteAsync(
                transaction,
                $"{Version8Reruns} INSERT INTO batchbuild_schema (version) VALUES (8);",
                cancellationToken);
        }

        await ExecuteAsync(transaction, Secrets, cancellationToken);
        await ExecuteAsync(
            transaction,
            StartCosts("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "TIMESTAMPTZ", "DOUBLE PRECISION", "BYTEA"),
            cancellationToken);
        await AddListDigestAsync(
            transaction,
            "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema() "
            + "AND table_name = 'start_costs' AND column_name = 'list_digest'",
            cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
