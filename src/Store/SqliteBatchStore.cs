using System.Collections.Immutable;
using System.Globalization;
using BatchBuild.Core;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Configuration;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Store;
using Microsoft.Data.Sqlite;

namespace BatchBuild.Store;

/// <summary>
/// The embedded store: one SQLite file, shared by every process of a run (MSBuild tasks, loggers
/// and data collectors on parallel workers) through SQLite's write-ahead log. It keeps the test
/// results and the batches they belong to: a batch starts when the first result names an ID that
/// has no active batch, closes explicitly or when idle or too old, and its closing is claimed for
/// notification by exactly one caller.
/// </summary>
public sealed class SqliteBatchStore : IBatchStore
{
    private const int SchemaVersion = 2;

    // A claim on a notification that was neither delivered nor released within this time is
    // taken to belong to a process that died, and may be claimed again.
    private static readonly TimeSpan StaleClaim = TimeSpan.FromMinutes(10);

    private const string BatchColumns =
        "id, batch_id, sequence, state, started_at, last_activity_at, closed_at, close_reason, notify, passed, failed, skipped, test_batches, agents, test_ms";

    private readonly SqliteConnection _connection;
    private readonly BatchStoreOptions _options;

    private SqliteBatchStore(SqliteConnection connection, BatchStoreOptions options)
    {
        _connection = connection;
        _options = options;
    }

    /// <summary>The file path of the store.</summary>
    public string Path => _connection.DataSource;

    private DateTimeOffset Now => _options.Clock.GetUtcNow();

    /// <summary>
    /// Opens the store at <paramref name="path"/>, creating the file, its folder and its schema
    /// when missing. Throws <see cref="StoreException"/> with a BB code when the file cannot be used.
    /// </summary>
    public static SqliteBatchStore Open(string path, BatchStoreOptions? options = null)
    {
        // Microsoft.Data.Sqlite finds its native provider by type name, which fails where the
        // store is loaded into an isolated load context (an MSBuild task in a host that loaded
        // SQLite too); initialising the bundle directly works everywhere.
        SQLitePCL.Batteries_V2.Init();
        SqliteConnection? connection = null;
        try
        {
            var full = System.IO.Path.GetFullPath(path);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            connection = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = full,
                Mode = SqliteOpenMode.ReadWriteCreate,
                Pooling = false,
                DefaultTimeout = 60,
            }.ToString());
            connection.Open();
            Execute(connection, "PRAGMA busy_timeout = 60000;");
            Execute(connection, "PRAGMA journal_mode = WAL;");
            Migrate(connection);
            return new SqliteBatchStore(connection, options ?? BatchStoreOptions.Default);
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            connection?.Dispose();
            throw new StoreException(
                DiagnosticCodes.StoreUnavailable,
                $"the store '{path}' cannot be opened ({e.Message}); check that the folder is writable, or move the store with BatchBuildStore",
                e);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<BatchInfo>> RecordResultsAsync(IReadOnlyCollection<TestResultRecord> results, CancellationToken cancellationToken = default)
    {
        var now = Now;
        await using var transaction = (SqliteTransaction)await _connection.BeginTransactionAsync(cancellationToken);
        await CloseExpiredAsync(transaction, now, cancellationToken);
        var batches = new List<BatchInfo>();
        foreach (var group in results.GroupBy(result => result.BatchId))
        {
            var key = await ActiveKeyAsync(transaction, group.Key, cancellationToken) ?? await StartAsync(transaction, group.Key, now, cancellationToken);
            await InsertResultsAsync(transaction, key, group, cancellationToken);
            await NonQueryAsync(transaction, "UPDATE batches SET last_activity_at = $now WHERE id = $key", cancellationToken, ("$now", Timestamp(now)), ("$key", key));
            batches.Add((await ReadBatchesAsync(transaction, "id = $key", cancellationToken, ("$key", key))).Single());
        }

        await transaction.CommitAsync(cancellationToken);
        return batches;
    }

    /// <inheritdoc />
    public async Task<CloseResult> CloseBatchAsync(BatchId id, CancellationToken cancellationToken = default)
    {
        var now = Now;
        await using var transaction = (SqliteTransaction)await _connection.BeginTransactionAsync(cancellationToken);
        await CloseExpiredAsync(transaction, now, cancellationToken);
        CloseResult result;
        if (await ActiveKeyAsync(transaction, id, cancellationToken) is { } key)
        {
            await CloseAsync(transaction, key, CloseReason.Explicit, now, cancellationToken);
            var closed = (await ReadBatchesAsync(transaction, "id = $key", cancellationToken, ("$key", key))).Single();
            result = new CloseResult(CloseStatus.Closed, closed, await FailedTestsAsync(transaction, key, cancellationToken));
        }
        else
        {
            var latest = (await ReadBatchesAsync(transaction, "batch_id = $id ORDER BY sequence DESC LIMIT 1", cancellationToken, ("$id", id.Value))).SingleOrDefault();
            result = new CloseResult(latest is null ? CloseStatus.Unknown : CloseStatus.AlreadyClosed, latest, []);
        }

        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<BatchInfo>> CloseExpiredAsync(CancellationToken cancellationToken = default)
    {
        await using var transaction = (SqliteTransaction)await _connection.BeginTransactionAsync(cancellationToken);
        var closed = await CloseExpiredAsync(transaction, Now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return closed;
    }

    /// <inheritdoc />
    public async Task<BatchInfo?> GetBatchAsync(BatchId id, CancellationToken cancellationToken = default)
    {
        await using var transaction = _connection.BeginTransaction(deferred: true);
        return (await ReadBatchesAsync(transaction, "batch_id = $id ORDER BY sequence DESC LIMIT 1", cancellationToken, ("$id", id.Value))).SingleOrDefault();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<BatchCompletion>> ClaimNotificationsAsync(CancellationToken cancellationToken = default)
    {
        var now = Now;
        await using var transaction = (SqliteTransaction)await _connection.BeginTransactionAsync(cancellationToken);
        await CloseExpiredAsync(transaction, now, cancellationToken);
        var keys = new List<long>();
        await using (var claim = Command(transaction, """
            UPDATE batches SET claimed_at = $now
            WHERE state = 'Closed' AND notify = 1 AND notified_at IS NULL AND (claimed_at IS NULL OR claimed_at < $stale)
            RETURNING id
            """, ("$now", Timestamp(now)), ("$stale", Timestamp(now - StaleClaim))))
        await using (var reader = await claim.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                keys.Add(reader.GetInt64(0));
            }
        }

        var completions = new List<BatchCompletion>();
        foreach (var key in keys.Order())
        {
            var batch = (await ReadBatchesAsync(transaction, "id = $key", cancellationToken, ("$key", key))).Single();
            completions.Add(BatchCompletion.From(batch, await FailedTestsAsync(transaction, key, cancellationToken)));
        }

        await transaction.CommitAsync(cancellationToken);
        return completions;
    }

    /// <inheritdoc />
    public async Task CompleteNotificationAsync(BatchCompletion completion, bool delivered, CancellationToken cancellationToken = default)
    {
        await using var transaction = (SqliteTransaction)await _connection.BeginTransactionAsync(cancellationToken);
        await NonQueryAsync(
            transaction,
            delivered
                ? "UPDATE batches SET notified_at = $now WHERE batch_id = $id AND sequence = $sequence"
                : "UPDATE batches SET claimed_at = NULL WHERE batch_id = $id AND sequence = $sequence AND notified_at IS NULL",
            cancellationToken,
            ("$now", Timestamp(Now)),
            ("$id", completion.BatchId),
            ("$sequence", completion.Sequence));
        await transaction.CommitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<DurationRecord>> GetHistoryAsync(
        IReadOnlyCollection<string> assemblies,
        DateTimeOffset? since,
        int runsPerTest,
        CancellationToken cancellationToken = default)
    {
        var history = new List<DurationRecord>();
        await using var query = _connection.CreateCommand();
        query.CommandText = """
            SELECT assembly, full_name, duration_ms, outcome, finished_at FROM (
                SELECT assembly, full_name, duration_ms, outcome, finished_at,
                       ROW_NUMBER() OVER (PARTITION BY assembly, full_name ORDER BY finished_at DESC) AS recency
                FROM test_results
                WHERE assembly = $assembly AND finished_at >= $since AND outcome IN ('Passed', 'Failed'))
            WHERE recency <= $runs;
            """;
        var assembly = query.Parameters.Add("$assembly", SqliteType.Text);
        query.Parameters.AddWithValue("$since", since is { } start ? Timestamp(start) : string.Empty);
        query.Parameters.AddWithValue("$runs", runsPerTest);
        foreach (var name in assemblies.Distinct(StringComparer.Ordinal))
        {
            assembly.Value = name;
            await using var reader = await query.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                history.Add(new DurationRecord(
                    new TestKey(reader.GetString(0), reader.GetString(1)),
                    reader.GetDouble(2),
                    Enum.Parse<TestRunOutcome>(reader.GetString(3)),
                    Time(reader.GetString(4))));
            }
        }

        return history;
    }

    /// <inheritdoc />
    public void Dispose() => _connection.Dispose();

    private async Task<long?> ActiveKeyAsync(SqliteTransaction transaction, BatchId id, CancellationToken cancellationToken)
    {
        await using var query = Command(transaction, "SELECT id FROM batches WHERE batch_id = $id AND state = 'Active'", ("$id", id.Value));
        return await query.ExecuteScalarAsync(cancellationToken) is long key ? key : null;
    }

    private async Task<long> StartAsync(SqliteTransaction transaction, BatchId id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var insert = Command(transaction, """
            INSERT INTO batches (batch_id, sequence, state, started_at, last_activity_at, notify)
            VALUES ($id, (SELECT COALESCE(MAX(sequence), 0) + 1 FROM batches WHERE batch_id = $id), 'Active', $now, $now, $notify)
            RETURNING id
            """, ("$id", id.Value), ("$now", Timestamp(now)), ("$notify", _options.NotifyOnCompletion ? 1 : 0));
        return (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task InsertResultsAsync(SqliteTransaction transaction, long key, IEnumerable<TestResultRecord> results, CancellationToken cancellationToken)
    {
        await using var insert = Command(transaction, """
            INSERT INTO test_results (batch_key, batch_id, test_batch, assembly, full_name, display_name, outcome, duration_ms, finished_at, agent, error_message)
            VALUES ($key, $batch, $testBatch, $assembly, $name, $display, $outcome, $duration, $finished, $agent, $error);
            """);
        var names = new[] { "$key", "$batch", "$testBatch", "$assembly", "$name", "$display", "$outcome", "$duration", "$finished", "$agent", "$error" };
        var parameters = names.Select(name => insert.Parameters.Add(new SqliteParameter { ParameterName = name })).ToArray();
        foreach (var result in results)
        {
            object[] values =
            [
                key, result.BatchId.Value, result.TestBatch, result.Test.Assembly, result.Test.FullyQualifiedName, result.DisplayName,
                result.Outcome.ToString(), result.DurationMillis, Timestamp(result.FinishedAt), result.Agent, (object?)result.ErrorMessage ?? DBNull.Value,
            ];
            for (var i = 0; i < values.Length; i++)
            {
                parameters[i].Value = values[i];
            }

            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private async Task<IReadOnlyList<BatchInfo>> CloseExpiredAsync(SqliteTransaction transaction, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Runs before every store call: only the times decide, so no counts are read here.
        var closed = new List<BatchInfo>();
        foreach (var (key, batch) in await ReadRowsAsync(transaction, "state = 'Active'", liveCounts: false, cancellationToken))
        {
            if (_options.Limits.Expired(batch, now) is { } reason)
            {
                await CloseAsync(transaction, key, reason, now, cancellationToken);
                closed.Add((await ReadBatchesAsync(transaction, "id = $key", cancellationToken, ("$key", key))).Single());
            }
        }

        return closed;
    }

    // Freezes the counts and closes; the state condition makes a second close a no-op.
    private static Task CloseAsync(SqliteTransaction transaction, long key, CloseReason reason, DateTimeOffset now, CancellationToken cancellationToken) =>
        NonQueryAsync(transaction, $"""
            UPDATE batches SET state = 'Closed', closed_at = $now, close_reason = $reason,
                ({CountColumns}) = ({CountsQuery})
            WHERE id = $key AND state = 'Active'
            """, cancellationToken, ("$now", Timestamp(now)), ("$reason", reason.ToString()), ("$key", key));

    private const string CountColumns = "passed, failed, skipped, test_batches, agents, test_ms";

    // Outcomes count tests, each by its latest result (a test run again counts once, as it last
    // ended); test batches, agents and test time count every run.
    private const string CountsQuery = """
        SELECT COALESCE(SUM(latest.outcome = 'Passed'), 0), COALESCE(SUM(latest.outcome = 'Failed'), 0), COALESCE(SUM(latest.outcome NOT IN ('Passed', 'Failed')), 0),
               (SELECT COUNT(DISTINCT agent || '|' || assembly || '|' || test_batch) FROM test_results WHERE batch_key = $key),
               (SELECT COUNT(DISTINCT agent) FROM test_results WHERE batch_key = $key),
               (SELECT COALESCE(SUM(duration_ms), 0) FROM test_results WHERE batch_key = $key)
        FROM (SELECT outcome, ROW_NUMBER() OVER (PARTITION BY assembly, full_name ORDER BY id DESC) AS recency
              FROM test_results WHERE batch_key = $key) AS latest
        WHERE latest.recency = 1
        """;

    private static async Task<IReadOnlyList<BatchInfo>> ReadBatchesAsync(
        SqliteTransaction transaction, string where, CancellationToken cancellationToken, params (string Name, object Value)[] parameters) =>
        [.. (await ReadRowsAsync(transaction, where, liveCounts: true, cancellationToken, parameters)).Select(row => row.Batch)];

    // The batches' rows with their keys; an active batch's counts are computed from its results
    // when liveCounts is set, and empty otherwise.
    private static async Task<IReadOnlyList<(long Key, BatchInfo Batch)>> ReadRowsAsync(
        SqliteTransaction transaction, string where, bool liveCounts, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        var rows = new List<(long Key, BatchInfo Batch)>();
        await using (var query = Command(transaction, $"SELECT {BatchColumns} FROM batches WHERE {where}", parameters))
        await using (var reader = await query.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var closed = reader.GetString(3) == "Closed";
                var counts = closed
                    ? new BatchCounts(reader.GetInt32(9), reader.GetInt32(10), reader.GetInt32(11), reader.GetInt32(12), reader.GetInt32(13), reader.GetDouble(14))
                    : BatchCounts.Empty;
                rows.Add((reader.GetInt64(0), new BatchInfo(
                    BatchId.Parse(reader.GetString(1)),
                    reader.GetInt32(2),
                    closed ? BatchState.Closed : BatchState.Active,
                    Time(reader.GetString(4)),
                    Time(reader.GetString(5)),
                    reader.IsDBNull(6) ? null : Time(reader.GetString(6)),
                    reader.IsDBNull(7) ? null : Enum.Parse<CloseReason>(reader.GetString(7)),
                    counts,
                    reader.GetInt64(8) == 1)));
            }
        }

        if (!liveCounts)
        {
            return rows;
        }

        // An active batch's counts are live: computed from its results as they stand.
        var batches = new List<(long Key, BatchInfo Batch)>(rows.Count);
        foreach (var (key, batch) in rows)
        {
            if (batch.State == BatchState.Active)
            {
                await using var count = Command(transaction, CountsQuery, ("$key", key));
                await using var reader = await count.ExecuteReaderAsync(cancellationToken);
                await reader.ReadAsync(cancellationToken);
                batches.Add((key, batch with { Counts = new BatchCounts(reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4), reader.GetDouble(5)) }));
            }
            else
            {
                batches.Add((key, batch));
            }
        }

        return batches;
    }

    private static async Task<ImmutableArray<FailedTest>> FailedTestsAsync(SqliteTransaction transaction, long key, CancellationToken cancellationToken)
    {
        var failed = ImmutableArray.CreateBuilder<FailedTest>();
        await using var query = Command(transaction, """
            SELECT assembly, full_name, error_message FROM (
                SELECT assembly, full_name, outcome, error_message,
                       ROW_NUMBER() OVER (PARTITION BY assembly, full_name ORDER BY id DESC) AS recency
                FROM test_results WHERE batch_key = $key) AS latest
            WHERE recency = 1 AND outcome = 'Failed' ORDER BY assembly, full_name
            """, ("$key", key));
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            failed.Add(new FailedTest(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
        }

        return failed.ToImmutable();
    }

    private static SqliteCommand Command(SqliteTransaction transaction, string sql, params (string Name, object Value)[] parameters)
    {
        var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }

    private static async Task NonQueryAsync(SqliteTransaction transaction, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(transaction, sql, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    // Sortable text in UTC, so that SQL comparisons of timestamps are comparisons of time.
    private static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static DateTimeOffset Time(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static void Migrate(SqliteConnection connection)
    {
        using var transaction = connection.BeginTransaction();
        using var version = connection.CreateCommand();
        version.Transaction = transaction;
        version.CommandText = "PRAGMA user_version;";
        var current = Convert.ToInt32(version.ExecuteScalar(), CultureInfo.InvariantCulture);
        if (current > SchemaVersion)
        {
            throw new StoreException(
                DiagnosticCodes.StoreUnavailable,
                $"the store '{connection.DataSource}' was written by a newer BatchBuild (schema {current}, this one knows {SchemaVersion}); update the BatchBuild package or use another store");
        }

        if (current < 1)
        {
            Execute(connection, """
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
                """, transaction);
        }

        if (current < 2)
        {
            // Batches and their lifecycle; results recorded before version 2 belong to no batch.
            Execute(connection, """
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
                """, transaction);
        }

        transaction.Commit();
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}

/// <summary>How a store closes and notifies batches, and its clock.</summary>
/// <param name="Limits">When an active batch closes by itself.</param>
/// <param name="NotifyOnCompletion">Whether batches this store starts notify when they close.</param>
/// <param name="Clock">The time source; tests move it by hand.</param>
public sealed record BatchStoreOptions(BatchLimits Limits, bool NotifyOnCompletion, TimeProvider Clock)
{
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
}
