using System.Collections.Immutable;
using System.Data.Common;
using System.Globalization;
using BatchBuild.Core.Api;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Store;

namespace BatchBuild.Store;

/// <summary>
/// The store on a SQL database: the embedded SQLite file, or the batch server's SQLite or
/// PostgreSQL database. It keeps the test results and the batches they belong to: a batch starts
/// when the first result names an ID that has no active batch, closes explicitly or when idle or
/// too old, and its closing is claimed for notification by exactly one caller. Writers take turns
/// through the dialect's write lock, so these rules hold for any number of processes, agents and
/// server instances. Each call opens its own connection, so one store serves concurrent callers.
/// </summary>
public sealed class SqlBatchStore : IBatchStore, IBatchBrowser
{
    // A claim on a notification that was neither delivered nor released within this time is
    // taken to belong to a process that died, and may be claimed again.
    private static readonly TimeSpan StaleClaim = TimeSpan.FromMinutes(10);

    private const string BatchColumns =
        "id, batch_id, sequence, state, started_at, last_activity_at, closed_at, close_reason, notify, passed, failed, skipped, test_batches, agents, test_ms, flaky, retried";

    private const string ResultColumns =
        "batch_id, test_batch, assembly, full_name, display_name, outcome, duration_ms, finished_at, agent, attempt, error_message";

    private readonly DbDataSource _source;
    private readonly SqlDialect _dialect;
    private readonly BatchStoreOptions _options;
    private readonly SemaphoreSlim _writeTurn = new(1, 1);

    private SqlBatchStore(DbDataSource source, SqlDialect dialect, BatchStoreOptions options)
    {
        _source = source;
        _dialect = dialect;
        _options = options;
    }

    /// <summary>The database, for messages.</summary>
    public string Description => _dialect.Description;

    private DateTimeOffset Now => _options.Clock.GetUtcNow();

    /// <summary>
    /// Opens the store on <paramref name="source"/>, creating or migrating its schema. The store
    /// owns the source and disposes it.
    /// </summary>
    public static async Task<SqlBatchStore> OpenAsync(DbDataSource source, SqlDialect dialect, BatchStoreOptions? options = null, CancellationToken cancellationToken = default)
    {
        var store = new SqlBatchStore(source, dialect, options ?? BatchStoreOptions.Default);
        await using var connection = await store.OpenConnectionAsync(cancellationToken);
        await dialect.MigrateAsync(connection, cancellationToken);
        return store;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<BatchInfo>> RecordResultsAsync(IReadOnlyCollection<TestResultRecord> results, CancellationToken cancellationToken = default)
    {
        // The server's requests are validated against the same limit before they get here.
        if (results.Select(result => result.BatchId).Distinct().Count() > ResultsRequest.MaxBatchesPerReport)
        {
            throw new ArgumentException($"Results of more than {ResultsRequest.MaxBatchesPerReport} batch IDs in one call; record them in several.", nameof(results));
        }

        var now = Now;
        return await WriteAsync(async transaction =>
        {
            await CloseExpiredAsync(transaction, now, cancellationToken);
            var batches = new List<BatchInfo>();
            foreach (var group in results.GroupBy(result => result.BatchId))
            {
                var key = await ActiveKeyAsync(transaction, group.Key, cancellationToken) ?? await StartAsync(transaction, group.Key, now, cancellationToken);
                await InsertResultsAsync(transaction, key, group, now, cancellationToken);
                batches.Add(await ReadBatchAsync(transaction, key, cancellationToken));
            }

            return (IReadOnlyList<BatchInfo>)batches;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<CloseResult> CloseBatchAsync(BatchId id, CancellationToken cancellationToken = default)
    {
        var now = Now;
        return await WriteAsync(async transaction =>
        {
            await CloseExpiredAsync(transaction, now, cancellationToken);
            if (await ActiveKeyAsync(transaction, id, cancellationToken) is { } key)
            {
                await CloseAsync(transaction, key, CloseReason.Explicit, now, cancellationToken);
                return new CloseResult(CloseStatus.Closed, await ReadBatchAsync(transaction, key, cancellationToken), await FailedTestsAsync(transaction, key, cancellationToken));
            }

            var latest = await LatestAsync(transaction, id, cancellationToken);
            return new CloseResult(latest is null ? CloseStatus.Unknown : CloseStatus.AlreadyClosed, latest, []);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<BatchInfo>> CloseExpiredAsync(CancellationToken cancellationToken = default) =>
        WriteAsync(transaction => CloseExpiredAsync(transaction, Now, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<BatchInfo?> GetBatchAsync(BatchId id, CancellationToken cancellationToken = default) =>
        ReadAsync(transaction => LatestAsync(transaction, id, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<BatchCompletion>> ClaimNotificationsAsync(CancellationToken cancellationToken = default)
    {
        var now = Now;
        return await WriteAsync(async transaction =>
        {
            await CloseExpiredAsync(transaction, now, cancellationToken);
            var keys = new List<long>();
            await using (var claim = Command(transaction, """
                UPDATE batches SET claimed_at = @now
                WHERE state = 'Closed' AND notify = 1 AND notified_at IS NULL AND (claimed_at IS NULL OR claimed_at < @stale)
                  AND (notify_after IS NULL OR notify_after <= @now)
                RETURNING id
                """, ("@now", _dialect.Time(now)), ("@stale", _dialect.Time(now - StaleClaim))))
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
                completions.Add(BatchCompletion.From(await ReadBatchAsync(transaction, key, cancellationToken), await FailedTestsAsync(transaction, key, cancellationToken)));
            }

            return (IReadOnlyList<BatchCompletion>)completions;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task CompleteNotificationAsync(BatchCompletion completion, bool delivered, CancellationToken cancellationToken = default) =>
        WriteAsync(
            async transaction =>
            {
                var now = Now;
                (string, object)[] batch = [("@id", completion.BatchId), ("@sequence", completion.Sequence), ("@now", _dialect.Time(now))];
                if (delivered)
                {
                    // Marked delivered once: a second delivery of the same claim changes nothing.
                    await NonQueryAsync(transaction, "UPDATE batches SET notified_at = @now WHERE batch_id = @id AND sequence = @sequence AND notified_at IS NULL", cancellationToken, batch);
                    return true;
                }

                await using var failures = Command(transaction, "SELECT notify_attempts FROM batches WHERE batch_id = @id AND sequence = @sequence", batch);
                var failed = Convert.ToInt32(await failures.ExecuteScalarAsync(cancellationToken) ?? 0, CultureInfo.InvariantCulture) + 1;
                await NonQueryAsync(
                    transaction,
                    """
                    UPDATE batches SET claimed_at = NULL, notify_attempts = @failed, notify_after = @after
                    WHERE batch_id = @id AND sequence = @sequence AND notified_at IS NULL
                    """,
                    cancellationToken,
                    [.. batch, ("@failed", failed), ("@after", _dialect.Time(now + _options.RetryDelayAfter(failed)))]);
                return true;
            },
            cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<TestDuration>> GetDurationsAsync(DurationQuery query, CancellationToken cancellationToken = default)
    {
        var wanted = query.Tests.ToHashSet();
        var history = await GetHistoryAsync([.. wanted.Select(test => test.Assembly).Distinct(StringComparer.Ordinal)], query.Since, query.RunsPerTest, cancellationToken, query.ExcludeBatchId);

        // The query kept only runs in the window already.
        return DurationEstimator.Percentiles(history.Where(record => wanted.Contains(record.Test)), query.Percentile, since: null);
    }

    /// <summary>
    /// The recorded passed and failed runs of the tests of <paramref name="assemblies"/> (assembly
    /// names) that ended at or after <paramref name="since"/> (all when null), the newest
    /// <paramref name="runsPerTest"/> per test, leaving out those of <paramref name="excludeBatchId"/>.
    /// </summary>
    public Task<IReadOnlyList<DurationRecord>> GetHistoryAsync(
        IReadOnlyCollection<string> assemblies,
        DateTimeOffset? since,
        int runsPerTest,
        CancellationToken cancellationToken = default,
        string? excludeBatchId = null) =>
        ReadAsync(
            async transaction =>
            {
                var history = new List<DurationRecord>();
                await using var query = Command(
                    transaction,
                    """
                    SELECT assembly, full_name, duration_ms, outcome, finished_at FROM (
                        SELECT assembly, full_name, duration_ms, outcome, finished_at,
                               ROW_NUMBER() OVER (PARTITION BY assembly, full_name ORDER BY finished_at DESC, id DESC) AS recency
                        FROM test_results
                        WHERE assembly = @assembly AND finished_at >= @since AND outcome IN ('Passed', 'Failed') AND batch_id <> @exclude) AS runs
                    WHERE recency <= @runs
                    """,
                    ("@assembly", string.Empty),
                    ("@since", _dialect.Time(since ?? DateTimeOffset.UnixEpoch)),
                    ("@runs", runsPerTest),
                    ("@exclude", excludeBatchId ?? string.Empty));
                foreach (var name in assemblies.Distinct(StringComparer.Ordinal))
                {
                    query.Parameters["@assembly"].Value = name;
                    await using var reader = await query.ExecuteReaderAsync(cancellationToken);
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        history.Add(new DurationRecord(
                            new TestKey(reader.GetString(0), reader.GetString(1)),
                            TestResultRecord.ClampDuration(reader.GetDouble(2)),
                            Enum.Parse<TestRunOutcome>(reader.GetString(3)),
                            _dialect.ReadTime(reader, 4)));
                    }
                }

                return (IReadOnlyList<DurationRecord>)history;
            },
            cancellationToken);

    /// <inheritdoc />
    public Task<BatchPage> ListBatchesAsync(BatchListQuery query, CancellationToken cancellationToken = default) =>
        ReadAsync(
            async transaction =>
            {
                var filter = """
                    (@state = '' OR state = @state)
                    AND (@name = '' OR LOWER(batch_id) LIKE @name ESCAPE '\')
                    AND started_at >= @from AND started_at < @before
                    """;
                (string, object)[] parameters =
                [
                    ("@state", query.State?.ToString() ?? string.Empty),
                    ("@name", query.Name is { Length: > 0 } name ? $"%{EscapeLike(name.ToLowerInvariant())}%" : string.Empty),
                    ("@from", _dialect.Time(query.StartedFrom ?? DateTimeOffset.UnixEpoch)),
                    ("@before", _dialect.Time(query.StartedBefore ?? DateTimeOffset.MaxValue.AddYears(-1))),
                ];
                await using var count = Command(transaction, $"SELECT COUNT(*) FROM batches WHERE {filter}", parameters);
                var total = Convert.ToInt32(await count.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
                var rows = await ReadRowsAsync(
                    transaction,
                    $"{filter} ORDER BY started_at DESC, id DESC LIMIT @limit OFFSET @offset",
                    cancellationToken,
                    [.. parameters, ("@limit", query.PageSize), ("@offset", (long)(query.Page - 1) * query.PageSize)]);
                return new BatchPage([.. rows.Select(row => row.Batch)], total, query.Page, query.PageSize);
            },
            cancellationToken);

    /// <inheritdoc />
    public Task<BatchInfo?> GetBatchAsync(BatchId id, int sequence, CancellationToken cancellationToken = default) =>
        ReadAsync(
            async transaction => (await ReadRowsAsync(transaction, "batch_id = @id AND sequence = @sequence", cancellationToken, ("@id", id.Value), ("@sequence", sequence)))
                .Select(row => row.Batch).SingleOrDefault(),
            cancellationToken);

    /// <inheritdoc />
    public Task<BatchResultsPage> GetResultsAsync(BatchId id, int sequence, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(page, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, BatchResultsPage.MaxPageSize);
        return ReadAsync(
            async transaction =>
            {
                await using var find = Command(transaction, "SELECT id FROM batches WHERE batch_id = @id AND sequence = @sequence", ("@id", id.Value), ("@sequence", sequence));
                if (await find.ExecuteScalarAsync(cancellationToken) is not { } found || found is DBNull)
                {
                    return new BatchResultsPage([], 0, page, pageSize, []);
                }

                var key = Convert.ToInt64(found, CultureInfo.InvariantCulture);
                await using var count = Command(transaction, "SELECT COUNT(*) FROM test_results WHERE batch_key = @key", ("@key", key));
                var total = Convert.ToInt32(await count.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);

                // The page's rows are chosen on the sort columns alone, so that the database sorts
                // neither the other results' messages nor reads them.
                const string order = "CASE WHEN outcome = 'Failed' THEN 0 ELSE 1 END, assembly, full_name, id";
                var results = await ReadResultsAsync(
                    transaction,
                    $"""
                    SELECT {ResultColumns} FROM test_results WHERE id IN (
                        SELECT id FROM test_results WHERE batch_key = @key ORDER BY {order} LIMIT @limit OFFSET @offset)
                    ORDER BY {order}
                    """,
                    cancellationToken,
                    ("@key", key),
                    ("@limit", pageSize),
                    ("@offset", (long)(page - 1) * pageSize));
                return new BatchResultsPage(results, total, page, pageSize, page == 1 ? await SpansAsync(transaction, key, cancellationToken) : []);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<TestResultRecord>> GetTestRunsAsync(TestKey test, int limit, CancellationToken cancellationToken = default) =>
        ReadAsync(
            async transaction => (IReadOnlyList<TestResultRecord>)[.. (await ReadResultsAsync(
                transaction,
                $"SELECT {ResultColumns} FROM test_results WHERE assembly = @assembly AND full_name = @name ORDER BY finished_at DESC, id DESC LIMIT @limit",
                cancellationToken,
                ("@assembly", test.Assembly),
                ("@name", test.FullyQualifiedName),
                ("@limit", limit))).Reverse()],
            cancellationToken);

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

    private static async Task<long?> ActiveKeyAsync(DbTransaction transaction, BatchId id, CancellationToken cancellationToken)
    {
        await using var query = Command(transaction, "SELECT id FROM batches WHERE batch_id = @id AND state = 'Active'", ("@id", id.Value));
        return await query.ExecuteScalarAsync(cancellationToken) is { } key and not DBNull ? Convert.ToInt64(key, CultureInfo.InvariantCulture) : null;
    }

    private async Task<long> StartAsync(DbTransaction transaction, BatchId id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var insert = Command(transaction, """
            INSERT INTO batches (batch_id, sequence, state, started_at, last_activity_at, notify, passed, failed, skipped, test_batches, agents, test_ms)
            VALUES (@id, (SELECT COALESCE(MAX(sequence), 0) + 1 FROM batches WHERE batch_id = @id), 'Active', @now, @now, @notify, 0, 0, 0, 0, 0, 0)
            RETURNING id
            """, ("@id", id.Value), ("@now", _dialect.Time(now)), ("@notify", _options.NotifyOnCompletion ? 1 : 0));
        return Convert.ToInt64(await insert.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    // A result whose test and attempt the batch already holds was sent before: it is skipped. The
    // batch's counts move with every result kept, so reading them never scans its results: a test
    // counts by its latest result (the one kept last), runs and agents when first seen.
    private async Task InsertResultsAsync(DbTransaction transaction, long key, IEnumerable<TestResultRecord> results, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var insert = Command(
            transaction,
            """
            INSERT INTO test_results (batch_key, batch_id, test_batch, assembly, full_name, display_name, outcome, duration_ms, finished_at, agent, attempt, error_message)
            VALUES (@key, @batch, @testBatch, @assembly, @name, @display, @outcome, @duration, @finished, @agent, @attempt, @error)
            ON CONFLICT DO NOTHING
            RETURNING id
            """,
            ("@key", key), ("@batch", string.Empty), ("@testBatch", 0), ("@assembly", string.Empty), ("@name", string.Empty), ("@display", string.Empty),
            ("@outcome", string.Empty), ("@duration", 0.0), ("@finished", _dialect.Time(DateTimeOffset.UnixEpoch)), ("@agent", string.Empty),
            ("@attempt", string.Empty), ("@error", DBNull.Value));
        await using var previous = Command(
            transaction,
            """
            SELECT (SELECT outcome FROM test_results WHERE batch_key = @key AND assembly = @assembly AND full_name = @name AND id < @id ORDER BY id DESC LIMIT 1),
                   COUNT(*), COALESCE(SUM(CASE WHEN outcome = 'Failed' THEN 1 ELSE 0 END), 0)
            FROM test_results WHERE batch_key = @key AND assembly = @assembly AND full_name = @name AND id < @id
            """,
            ("@key", key), ("@assembly", string.Empty), ("@name", string.Empty), ("@id", 0L));
        await using var run = Command(
            transaction,
            "SELECT COUNT(*) FROM (SELECT 1 FROM test_results WHERE batch_key = @key AND attempt = @attempt AND agent = @agent AND assembly = @assembly AND test_batch = @testBatch LIMIT 2) AS seen",
            ("@key", key), ("@attempt", string.Empty), ("@agent", string.Empty), ("@assembly", string.Empty), ("@testBatch", 0));
        await using var agent = Command(
            transaction,
            "SELECT COUNT(*) FROM (SELECT 1 FROM test_results WHERE batch_key = @key AND agent = @agent LIMIT 2) AS seen",
            ("@key", key), ("@agent", string.Empty));

        var delta = new CountDelta();
        var runs = new HashSet<(string, string, string, int)>();
        var agents = new HashSet<string>(StringComparer.Ordinal);
        foreach (var result in results)
        {
            insert.Parameters["@batch"].Value = result.BatchId.Value;
            insert.Parameters["@testBatch"].Value = result.TestBatch;
            insert.Parameters["@assembly"].Value = result.Test.Assembly;
            insert.Parameters["@name"].Value = result.Test.FullyQualifiedName;
            insert.Parameters["@display"].Value = result.DisplayName;
            insert.Parameters["@outcome"].Value = result.Outcome.ToString();
            insert.Parameters["@duration"].Value = result.DurationMillis;
            insert.Parameters["@finished"].Value = _dialect.Time(result.FinishedAt);
            insert.Parameters["@agent"].Value = result.Agent;
            insert.Parameters["@attempt"].Value = result.Attempt;
            insert.Parameters["@error"].Value = (object?)result.ErrorMessage ?? DBNull.Value;
            if (await insert.ExecuteScalarAsync(cancellationToken) is not { } inserted || inserted is DBNull)
            {
                continue;
            }

            previous.Parameters["@assembly"].Value = result.Test.Assembly;
            previous.Parameters["@name"].Value = result.Test.FullyQualifiedName;
            previous.Parameters["@id"].Value = Convert.ToInt64(inserted, CultureInfo.InvariantCulture);
            await using (var before = await previous.ExecuteReaderAsync(cancellationToken))
            {
                await before.ReadAsync(cancellationToken);
                var replaced = before.IsDBNull(0) ? null : before.GetString(0);
                var (earlier, failures) = (Int(before, 1), Int(before, 2));
                if (replaced is not null)
                {
                    delta.Count(replaced, -1);
                }

                // A test is retried from its second result, and flaky while its latest passed after a failure.
                delta.Count(result.Outcome.ToString(), +1);
                delta.Retried += earlier == 1 ? 1 : 0;
                delta.Flaky += (result.Outcome == TestRunOutcome.Passed && failures > 0 ? 1 : 0) - (replaced == "Passed" && failures > 0 ? 1 : 0);
            }
            delta.TestMillis += result.DurationMillis;

            // A run or an agent is new when the only result that has it is the one just kept.
            if (runs.Add((result.Attempt, result.Agent, result.Test.Assembly, result.TestBatch)))
            {
                run.Parameters["@attempt"].Value = result.Attempt;
                run.Parameters["@agent"].Value = result.Agent;
                run.Parameters["@assembly"].Value = result.Test.Assembly;
                run.Parameters["@testBatch"].Value = result.TestBatch;
                delta.TestBatches += Convert.ToInt64(await run.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) == 1 ? 1 : 0;
            }

            if (agents.Add(result.Agent))
            {
                agent.Parameters["@agent"].Value = result.Agent;
                delta.Agents += Convert.ToInt64(await agent.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) == 1 ? 1 : 0;
            }
        }

        await NonQueryAsync(
            transaction,
            """
            UPDATE batches SET last_activity_at = @now, passed = passed + @passed, failed = failed + @failed, skipped = skipped + @skipped,
                test_batches = test_batches + @testBatches, agents = agents + @agents, test_ms = test_ms + @testMillis,
                flaky = flaky + @flaky, retried = retried + @retried
            WHERE id = @key
            """,
            cancellationToken,
            ("@now", _dialect.Time(now)), ("@passed", delta.Passed), ("@failed", delta.Failed), ("@skipped", delta.Skipped),
            ("@testBatches", delta.TestBatches), ("@agents", delta.Agents), ("@testMillis", delta.TestMillis),
            ("@flaky", delta.Flaky), ("@retried", delta.Retried), ("@key", key));
    }

    private sealed class CountDelta
    {
        public int Passed { get; private set; }

        public int Failed { get; private set; }

        public int Skipped { get; private set; }

        public int TestBatches { get; set; }

        public int Agents { get; set; }

        public double TestMillis { get; set; }

        public int Flaky { get; set; }

        public int Retried { get; set; }

        public void Count(string outcome, int by)
        {
            switch (outcome)
            {
                case "Passed":
                    Passed += by;
                    break;
                case "Failed":
                    Failed += by;
                    break;
                default:
                    Skipped += by;
                    break;
            }
        }
    }

    // Runs before every write, so it must not cost more with more active batches: one statement
    // that the partial indexes on active batches' start and last activity answer, instead of
    // reading every active batch. Each half of the UNION ALL searches one index (SQLite scans the
    // whole table for an OR, and for a UNION, which it merges in key order); a key in both halves
    // is in the IN list twice, which changes nothing. The cut-offs keep the rule of BatchLimits
    // exactly: a batch expires when now minus its time is strictly more than the limit, and age
    // wins over idle.
    private async Task<IReadOnlyList<BatchInfo>> CloseExpiredAsync(DbTransaction transaction, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var keys = new List<long>();
        await using (var close = Command(
            transaction,
            """
            UPDATE batches SET state = 'Closed', closed_at = @now, close_reason = CASE WHEN started_at < @ageCutoff THEN 'Age' ELSE 'Idle' END
            WHERE id IN (
                SELECT id FROM batches WHERE state = 'Active' AND started_at < @ageCutoff
                UNION ALL
                SELECT id FROM batches WHERE state = 'Active' AND last_activity_at < @idleCutoff)
            RETURNING id
            """,
            ("@now", _dialect.Time(now)),
            ("@ageCutoff", _dialect.Time(Cutoff(now, _options.Limits.MaxAge))),
            ("@idleCutoff", _dialect.Time(Cutoff(now, _options.Limits.IdleTimeout)))))
        await using (var reader = await close.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                keys.Add(reader.GetInt64(0));
            }
        }

        var closed = new List<BatchInfo>(keys.Count);
        foreach (var key in keys.Order())
        {
            closed.Add(await ReadBatchAsync(transaction, key, cancellationToken));
        }

        return closed;
    }

    // The time before which a batch has been open or idle longer than limit at now, within the
    // range of times: a limit longer than all of time expires nothing.
    private static DateTimeOffset Cutoff(DateTimeOffset now, TimeSpan limit)
    {
        var ticks = Int128.Clamp((Int128)now.UtcTicks - limit.Ticks, DateTimeOffset.MinValue.UtcTicks, DateTimeOffset.MaxValue.UtcTicks);
        return new DateTimeOffset((long)ticks, TimeSpan.Zero);
    }

    // Closes, which freezes the counts: no result joins a closed batch. The state condition makes
    // a second close a no-op.
    private Task CloseAsync(DbTransaction transaction, long key, CloseReason reason, DateTimeOffset now, CancellationToken cancellationToken) =>
        NonQueryAsync(transaction, """
            UPDATE batches SET state = 'Closed', closed_at = @now, close_reason = @reason
            WHERE id = @key AND state = 'Active'
            """, cancellationToken, ("@now", _dialect.Time(now)), ("@reason", reason.ToString()), ("@key", key));

    // The counts of the batch whose key is batches.id, computed from its results: what the counts
    // kept on every insert add up to. Migrations fill older batches' counts with them.
    private static readonly (string Column, string Expression)[] Recount =
    [
        ("passed", Latest("outcome = 'Passed'")),
        ("failed", Latest("outcome = 'Failed'")),
        ("skipped", Latest("outcome NOT IN ('Passed', 'Failed')")),
        ("test_batches", "(SELECT COUNT(*) FROM (SELECT DISTINCT attempt, agent, assembly, test_batch FROM test_results WHERE batch_key = batches.id) AS runs)"),
        ("agents", "(SELECT COUNT(DISTINCT agent) FROM test_results WHERE batch_key = batches.id)"),
        ("test_ms", "(SELECT COALESCE(SUM(duration_ms), 0) FROM test_results WHERE batch_key = batches.id)"),
        ("flaky", Latest("outcome = 'Passed' AND failures > 0")),
        ("retried", Latest("runs > 1")),
    ];

    /// <summary>SET assignments that recompute a batch's counts in <paramref name="columns"/> (all when none) from its results.</summary>
    internal static string RecountAssignments(params string[] columns) =>
        string.Join(", ", Recount.Where(count => columns.Length == 0 || columns.Contains(count.Column)).Select(count => $"{count.Column} = {count.Expression}"));

    /// <summary>The counts schema version 3 kept.</summary>
    internal static readonly string[] Version3Counts = ["passed", "failed", "skipped", "test_batches", "agents", "test_ms"];


    private static string Latest(string outcome) =>
        $"""
        (SELECT COUNT(*) FROM (SELECT outcome, ROW_NUMBER() OVER (PARTITION BY assembly, full_name ORDER BY id DESC) AS recency,
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
                    $"SELECT {string.Join(", ", Recount.Select(count => count.Expression))} FROM batches WHERE batch_id = @id AND sequence = @sequence",
                    ("@id", id.Value),
                    ("@sequence", sequence));
                await using var reader = await query.ExecuteReaderAsync(cancellationToken);
                return await reader.ReadAsync(cancellationToken) ? Counts(reader, 0) : null;
            },
            cancellationToken);

    private async Task<BatchInfo> ReadBatchAsync(DbTransaction transaction, long key, CancellationToken cancellationToken) =>
        (await ReadRowsAsync(transaction, "id = @key", cancellationToken, ("@key", key))).Single().Batch;

    private async Task<BatchInfo?> LatestAsync(DbTransaction transaction, BatchId id, CancellationToken cancellationToken) =>
        (await ReadRowsAsync(transaction, "batch_id = @id ORDER BY sequence DESC LIMIT 1", cancellationToken, ("@id", id.Value)))
            .Select(row => row.Batch).SingleOrDefault();

    // The batches' rows with their keys.
    private async Task<IReadOnlyList<(long Key, BatchInfo Batch)>> ReadRowsAsync(
        DbTransaction transaction, string where, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        var rows = new List<(long Key, BatchInfo Batch)>();
        await using var query = Command(transaction, $"SELECT {BatchColumns} FROM batches WHERE {where}", parameters);
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add((reader.GetInt64(0), new BatchInfo(
                BatchId.Parse(reader.GetString(1)),
                Int(reader, 2),
                reader.GetString(3) == "Closed" ? BatchState.Closed : BatchState.Active,
                _dialect.ReadTime(reader, 4),
                _dialect.ReadTime(reader, 5),
                reader.IsDBNull(6) ? null : _dialect.ReadTime(reader, 6),
                reader.IsDBNull(7) ? null : Enum.Parse<CloseReason>(reader.GetString(7)),
                Counts(reader, 9),
                Int(reader, 8) == 1)));
        }

        return rows;
    }

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

    // SQLite reads integers as 64-bit and PostgreSQL's COUNT and SUM are 64-bit: both narrow here.
    private static int Int(DbDataReader reader, int ordinal) => Convert.ToInt32(reader.GetValue(ordinal), CultureInfo.InvariantCulture);

    // A stored duration as every read sees it: within [0, TestResultRecord.MaxDurationMillis],
    // in SQL, for sums (an older version may have stored infinite, huge or negative durations).
    private static readonly string ClampedDuration = string.Create(
        CultureInfo.InvariantCulture,
        $"CASE WHEN duration_ms > {TestResultRecord.MaxDurationMillis} THEN {TestResultRecord.MaxDurationMillis} WHEN duration_ms >= 0 THEN duration_ms ELSE 0 END");

    // A batch's summed test time as read: finite and not negative. It may pass the longest
    // duration of one test, so only what JSON and arithmetic cannot take is clamped.
    private static double FiniteTotal(double millis) => double.IsNaN(millis) ? 0 : Math.Clamp(millis, 0, double.MaxValue);

    // The runs of the batch's test batches, summed by the database: a timeline needs no result.
    private async Task<IReadOnlyList<TestBatchSpan>> SpansAsync(DbTransaction transaction, long key, CancellationToken cancellationToken)
    {
        var spans = new List<TestBatchSpan>();
        await using var query = Command(
            transaction,
            $"""
            SELECT agent, assembly, test_batch, MAX(finished_at), SUM({ClampedDuration}), COUNT(*), SUM(CASE WHEN outcome = 'Failed' THEN 1 ELSE 0 END)
            FROM test_results WHERE batch_key = @key
            GROUP BY agent, assembly, test_batch, attempt
            """,
            ("@key", key));
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            spans.Add(TestBatchSpan.Ending(
                reader.GetString(0),
                reader.GetString(1),
                Int(reader, 2),
                _dialect.ReadTime(reader, 3),
                Convert.ToDouble(reader.GetValue(4), CultureInfo.InvariantCulture),
                Int(reader, 5),
                Int(reader, 6)));
        }

        return [.. spans.OrderBy(span => span.StartedAt).ThenBy(span => span.Agent, StringComparer.Ordinal)];
    }

    // At most the notification's number of failed tests, each message cut in the database one
    // character past the notification's length, so that it can tell a cut message: the server
    // never loads a batch's every message.
    private static async Task<ImmutableArray<FailedTest>> FailedTestsAsync(DbTransaction transaction, long key, CancellationToken cancellationToken)
    {
        var failed = ImmutableArray.CreateBuilder<FailedTest>();
        await using var query = Command(transaction, """
            SELECT assembly, full_name, message FROM (
                SELECT assembly, full_name, outcome, SUBSTR(error_message, 1, @length) AS message,
                       ROW_NUMBER() OVER (PARTITION BY assembly, full_name ORDER BY id DESC) AS recency
                FROM test_results WHERE batch_key = @key) AS latest
            WHERE recency = 1 AND outcome = 'Failed' ORDER BY assembly, full_name LIMIT @limit
            """, ("@key", key), ("@length", BatchCompletion.MaxMessageLength + 1), ("@limit", BatchCompletion.MaxFailedTests));
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            failed.Add(new FailedTest(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : BatchCompletion.Cut(reader.GetString(2))));
        }

        return failed.ToImmutable();
    }

    private async Task<IReadOnlyList<TestResultRecord>> ReadResultsAsync(
        DbTransaction transaction, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        var results = new List<TestResultRecord>();
        await using var query = Command(transaction, sql, parameters);
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            results.Add(new TestResultRecord(
                BatchId.Parse(reader.GetString(0)),
                Int(reader, 1),
                new TestKey(reader.GetString(2), reader.GetString(3)),
                reader.GetString(4),
                Enum.Parse<TestRunOutcome>(reader.GetString(5)),
                TestResultRecord.ClampDuration(reader.GetDouble(6)),
                _dialect.ReadTime(reader, 7),
                reader.GetString(8),
                reader.GetString(9),
                reader.IsDBNull(10) ? null : reader.GetString(10)));
        }

        return results;
    }

    private static DbCommand Command(DbTransaction transaction, string sql, params (string Name, object Value)[] parameters)
    {
        var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private static async Task NonQueryAsync(DbTransaction transaction, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(transaction, sql, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string EscapeLike(string text) =>
        text.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal);
}
