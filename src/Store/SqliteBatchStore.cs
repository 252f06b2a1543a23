using System.Globalization;
using BatchBuild.Core;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Store;
using Microsoft.Data.Sqlite;

namespace BatchBuild.Store;

/// <summary>
/// The embedded store: one SQLite file, shared by every process of a run (MSBuild tasks and
/// data collectors on parallel workers) through SQLite's write-ahead log.
/// </summary>
public sealed class SqliteBatchStore : IBatchStore
{
    private const int SchemaVersion = 1;

    private readonly SqliteConnection _connection;

    private SqliteBatchStore(SqliteConnection connection) => _connection = connection;

    /// <summary>The file path of the store.</summary>
    public string Path => _connection.DataSource;

    /// <summary>
    /// Opens the store at <paramref name="path"/>, creating the file, its folder and its schema
    /// when missing. Throws <see cref="StoreException"/> with a BB code when the file cannot be used.
    /// </summary>
    public static SqliteBatchStore Open(string path)
    {
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
            return new SqliteBatchStore(connection);
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
    public async Task RecordResultsAsync(IReadOnlyCollection<TestResultRecord> results, CancellationToken cancellationToken = default)
    {
        await using var transaction = (SqliteTransaction)await _connection.BeginTransactionAsync(cancellationToken);
        await using var insert = _connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO test_results (batch_id, test_batch, assembly, full_name, display_name, outcome, duration_ms, finished_at, agent)
            VALUES ($batch, $testBatch, $assembly, $name, $display, $outcome, $duration, $finished, $agent);
            """;
        var parameters = new[] { "$batch", "$testBatch", "$assembly", "$name", "$display", "$outcome", "$duration", "$finished", "$agent" }
            .Select(name => insert.Parameters.Add(new SqliteParameter { ParameterName = name }))
            .ToArray();
        foreach (var result in results)
        {
            object[] values =
            [
                result.BatchId.Value, result.TestBatch, result.Test.Assembly, result.Test.FullyQualifiedName, result.DisplayName,
                result.Outcome.ToString(), result.DurationMillis, Timestamp(result.FinishedAt), result.Agent,
            ];
            for (var i = 0; i < values.Length; i++)
            {
                parameters[i].Value = values[i];
            }

            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

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
                    DateTimeOffset.Parse(reader.GetString(4), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)));
            }
        }

        return history;
    }

    /// <inheritdoc />
    public void Dispose() => _connection.Dispose();

    // Sortable text in UTC, so that SQL comparisons of timestamps are comparisons of time.
    private static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

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

/// <summary>A store that cannot be used, with the BB code and a message that says how to fix it.</summary>
public sealed class StoreException(string code, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The <c>BBnnnn</c> code.</summary>
    public string Code { get; } = code;
}
