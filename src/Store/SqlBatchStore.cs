using System.Data.Common;
using System.Globalization;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Store;
using static BatchBuild.Store.SqlCommands;

namespace BatchBuild.Store;

/// <summary>
/// The store on a SQL database: the embedded SQLite file, or the batch server's SQLite or
/// PostgreSQL database. It keeps the test results and the batches they belong to: a batch starts
/// when the first result names an ID that has no active batch, closes explicitly or when idle or
/// too old, and its closing is claimed for notification by exactly one caller. Writers take turns
/// through the dialect's write lock, so these rules hold for any number of processes, agents and
/// server instances. Each call opens its own connection, so one store serves concurrent callers.
/// </summary>
public sealed partial class SqlBatchStore : IBatchStore, IBatchBrowser
{
    private const string BatchColumns =
        "id, batch_id, sequence, state, started_at, last_activity_at, closed_at, close_reason, notify, "
        + "passed, failed, skipped, test_batches, agents, test_ms, flaky, retried, ci_attempt, rerun";

    private const string ResultColumns =
        "batch_id, test_batch, assembly, full_name, display_name, outcome, duration_ms, finished_at, agent, attempt, "
        + "error_message";

    private readonly DbDataSource _source;
    private readonly SqlDialect _dialect;
    private readonly BatchStoreOptions _options;
    private readonly SemaphoreSlim _writeTurn;
    private readonly BatchRow _batchRow;

    private SqlBatchStore(DbDataSource source, SqlDialect dialect, BatchStoreOptions options)
    {
        _source = source;
        _dialect = dialect;
        _options = options;
        _writeTurn = new SemaphoreSlim(dialect.WritersAtTheLock, dialect.WritersAtTheLock);
        _batchRow = new BatchRow(BatchColumns, ReadBatch);
    }

    /// <summary>The database, for messages.</summary>
    public string Description => _dialect.Description;

    private DateTimeOffset Now => _options.Clock.GetUtcNow();

    /// <summary>
    /// Opens the store on <paramref name="source"/>, creating or migrating its schema. The store
    /// owns the source and disposes it.
    /// </summary>
    public static async Task<SqlBatchStore> OpenAsync(
        DbDataSource source,
        SqlDialect dialect,
        BatchStoreOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var store = new SqlBatchStore(source, dialect, options ?? BatchStoreOptions.Default);
        await using var connection = await store.OpenConnectionAsync(cancellationToken);
        await dialect.MigrateAsync(connection, cancellationToken);
        return store;
    }

    /// <summary>
    /// The secret named <paramref name="name"/>: <paramref name="bytes"/> random bytes made the
    /// first time it is asked for, and the same ever after, for every process and server instance
    /// on this database. Made under the write lock, so two instances starting at once agree on one.
    /// </summary>
    public Task<byte[]> SecretAsync(string name, int bytes, CancellationToken cancellationToken = default) =>
        WriteAsync(async transaction =>
        {
            await using var read = Command(
                transaction,
                "SELECT value FROM server_secrets WHERE name = @name",
                ("@name", name));
            if (await read.ExecuteScalarAsync(cancellationToken) is string stored)
            {
                return Convert.FromBase64String(stored);
            }

            var secret = System.Security.Cryptography.RandomNumberGenerator.GetBytes(bytes);
            await NonQueryAsync(
                transaction,
                "INSERT INTO server_secrets (name, value) VALUES (@name, @value)",
                cancellationToken,
                ("@name", name),
                ("@value", Convert.ToBase64String(secret)));
            return secret;
        }, cancellationToken);

    /// <summary>
    /// Takes the write lock the way every writer does, and lets it go without writing: it answers
    /// whether a write would get through now, at the cost of a transaction that changes nothing.
    /// </summary>
    public async Task ProbeWriteLockAsync(CancellationToken cancellationToken = default)
    {
        await _writeTurn.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await OpenConnectionAsync(cancellationToken);
            await using var transaction = await _dialect.BeginWriteAsync(connection, cancellationToken);

            // The lock was had: that is the answer, also when the wait ran out meanwhile.
            await transaction.RollbackAsync(CancellationToken.None);
        }
        finally
        {
            _writeTurn.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _source.Dispose();
        _writeTurn.Dispose();
    }

    private async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = await _source.OpenConnectionAsync(cancellationToken);
        try
        {
            await _dialect.OnOpenAsync(connection, cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    // Writers of this store take turns here first, in order, and only then at the database's lock,
    // which other processes and server instances contend for: SQLite's busy handler is not fair,
    // and many writers of one process waiting on it could starve one of them past its timeout.
    // The dialect says how many may go on to the lock at once (see SqlDialect.WritersAtTheLock).
    private async Task<T> WriteAsync<T>(Func<DbTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        await _writeTurn.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await OpenConnectionAsync(cancellationToken);
            await using var transaction = await _dialect.BeginWriteAsync(connection, cancellationToken);
            var result = await work(transaction);
            await transaction.CommitAsync(cancellationToken);
            return result;
        }
        finally
        {
            _writeTurn.Release();
        }
    }

    private async Task<T> ReadAsync<T>(Func<DbTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = await _dialect.BeginReadAsync(connection, cancellationToken);
        var result = await work(transaction);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    // The counts of the batch whose key is batches.id, computed from its results: what the counts
    // kept on every insert add up to. Migrations fill older batches' counts with them.
    private static readonly (string Column, string Expression)[] Recount =
    [
        ("passed", Latest("outcome = 'Passed'")),
        ("failed", Latest("outcome = 'Failed'")),
        ("skipped", Latest("outcome NOT IN ('Passed', 'Failed')")),
        ("test_batches", "(SELECT COUNT(*) FROM (SELECT DISTINCT attempt, agent, assembly, test_batch "
            + "FROM test_results WHERE batch_key = batches.id) AS runs)"),
        ("agents", "(SELECT COUNT(DISTINCT agent) FROM test_results WHERE batch_key = batches.id)"),
        ("test_ms", "(SELECT COALESCE(SUM(duration_ms), 0) FROM test_results WHERE batch_key = batches.id)"),
        ("flaky", Latest("outcome = 'Passed' AND failures > 0")),
        ("retried", Latest("runs > 1")),
    ];

    /// <summary>
    /// SET assignments that recompute a batch's counts in <paramref name="columns"/> (all when none)
    /// from its results.
    /// </summary>
    internal static string RecountAssignments(params string[] columns) =>
        string.Join(
            ", ",
            Recount
                .Where(count => columns.Length == 0 || columns.Contains(count.Column))
                .Select(count => $"{count.Column} = {count.Expression}"));

    /// <summary>The counts schema version 3 kept.</summary>
    internal static readonly string[] Version3Counts =
        ["passed", "failed", "skipped", "test_batches", "agents", "test_ms"];

    private static string Latest(string outcome) =>
        $"""
        (SELECT COUNT(*) FROM (SELECT outcome,
                ROW_NUMBER() OVER (PARTITION BY assembly, full_name ORDER BY id DESC) AS recency,
                COUNT(*) OVER (PARTITION BY assembly, full_name) AS runs,
                SUM(CASE WHEN outcome = 'Failed' THEN 1 ELSE 0 END) OVER (PARTITION BY assembly, full_name) AS failures
         FROM test_results WHERE batch_key = batches.id) AS latest WHERE recency = 1 AND {outcome})
        """;

    /// <summary>Recomputes one batch's counts from its results, to check the counts kept on insert.</summary>
    internal Task<BatchCounts?> RecountAsync(BatchId id, int sequence, CancellationToken cancellationToken = default) =>
        ReadAsync(
            async transaction =>
            {
                await using var query = Command(
                    transaction,
                    $"SELECT {string.Join(", ", Recount.Select(count => count.Expression))} "
                    + "FROM batches WHERE batch_id = @id AND sequence = @sequence",
                    ("@id", id.Value),
                    ("@sequence", sequence));
                await using var reader = await query.ExecuteReaderAsync(cancellationToken);
                return await reader.ReadAsync(cancellationToken) ? Counts(reader, 0) : null;
            },
            cancellationToken);

    private async Task<BatchInfo> ReadBatchAsync(
        DbTransaction transaction, long key, CancellationToken cancellationToken) =>
        (await ReadRowsAsync(transaction, "id = @key", cancellationToken, ("@key", key))).Single().Batch;

    private async Task<BatchInfo?> LatestAsync(
        DbTransaction transaction, BatchId id, CancellationToken cancellationToken) =>
        (await ReadRowsAsync(
            transaction,
            "batch_id = @id ORDER BY sequence DESC LIMIT 1",
            cancellationToken,
            ("@id", id.Value)))
            .Select(row => row.Batch)
            .SingleOrDefault();

    // The batches' rows with their keys.
    private async Task<IReadOnlyList<(long Key, BatchInfo Batch)>> ReadRowsAsync(
        DbTransaction transaction,
        string where,
        CancellationToken cancellationToken,
        params (string Name, object Value)[] parameters)
    {
        var rows = new List<(long Key, BatchInfo Batch)>();
        await using var query = Command(transaction, $"SELECT {BatchColumns} FROM batches WHERE {where}", parameters);
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add((reader.GetInt64(0), ReadBatch(reader)));
        }

        return rows;
    }

    // The current row of reader, which returned BatchColumns.
    private BatchInfo ReadBatch(DbDataReader reader) =>
        new(
            BatchId.Parse(reader.GetString(1)),
            Int(reader, 2),
            reader.GetString(3) == "Closed" ? BatchState.Closed : BatchState.Active,
            _dialect.ReadTime(reader, 4),
            _dialect.ReadTime(reader, 5),
            reader.IsDBNull(6) ? null : _dialect.ReadTime(reader, 6),
            reader.IsDBNull(7) ? null : Enum.Parse<CloseReason>(reader.GetString(7)),
            Counts(reader, 9),
            Int(reader, 8) == 1,
            Int(reader, 17),
            Int(reader, 18) == 1);

    private static BatchCounts Counts(DbDataReader reader, int first) =>
        new(
            Int(reader, first),
            Int(reader, first + 1),
            Int(reader, first + 2),
            Int(reader, first + 3),
            Int(reader, first + 4),
            FiniteTotal(Convert.ToDouble(reader.GetValue(first + 5), CultureInfo.InvariantCulture)),
            Int(reader, first + 6),
            Int(reader, first + 7));

    // A batch's summed test time as read: finite and not negative. It may pass the longest
    // duration of one test, so only what JSON and arithmetic cannot take is clamped.
    private static double FiniteTotal(double millis) =>
        double.IsNaN(millis) ? 0 : Math.Clamp(millis, 0, double.MaxValue);
}
