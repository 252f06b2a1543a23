using System.Data.Common;
using System.Globalization;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Store;
using static BatchBuild.Store.SqlCommands;

namespace BatchBuild.Store;

/// <summary>
/// Inserts results one statement at a time and works out what each kept one changes from the
/// results before it: in SQL that SQLite and PostgreSQL both accept, and fast where the database
/// runs in process, because a statement there costs no round trip.
/// </summary>
internal sealed class RowByRowResultInserter(SqlDialect dialect) : ResultInserter
{
    /// <inheritdoc />
    public override async Task<IReadOnlyList<BatchInfo>> InsertAsync(
        DbTransaction transaction, IReadOnlyList<BatchResults> batches, DateTimeOffset now, BatchRow row, CancellationToken cancellationToken)
    {
        var inserted = new List<BatchInfo>(batches.Count);
        foreach (var batch in batches)
        {
            inserted.Add(await InsertAsync(transaction, batch.Key, batch.Results, now, row, cancellationToken));
        }

        return inserted;
    }

    private async Task<BatchInfo> InsertAsync(
        DbTransaction transaction, long batchKey, IReadOnlyList<TestResultRecord> results, DateTimeOffset now, BatchRow row, CancellationToken cancellationToken)
    {
        await using var statements = new Statements(transaction, batchKey, dialect);
        var delta = new CountDelta();
        var runs = new HashSet<(string, string, string, int)>();
        var agents = new HashSet<string>(StringComparer.Ordinal);
        foreach (var result in results)
        {
            if (await statements.InsertAsync(result, cancellationToken) is not { } id)
            {
                continue;
            }

            await CountTestAsync(statements, result, id, delta, cancellationToken);
            delta.TestMillis += result.DurationMillis;

            // A run or an agent is new when the only result that has it is the one just kept.
            if (runs.Add((result.Attempt, result.Agent, result.Test.Assembly, result.TestBatch)))
            {
                delta.TestBatches += await statements.IsFirstOfRunAsync(result, cancellationToken) ? 1 : 0;
            }

            if (agents.Add(result.Agent))
            {
                delta.Agents += await statements.IsFirstOfAgentAsync(result, cancellationToken) ? 1 : 0;
            }
        }

        return await AddAsync(transaction, batchKey, delta, now, row, cancellationToken);
    }

    // The test's latest result before the one just kept stops counting and the new one counts. A
    // test is retried from its second result, and flaky while its latest passed after a failure.
    private static async Task CountTestAsync(Statements statements, TestResultRecord result, long id, CountDelta delta, CancellationToken cancellationToken)
    {
        var (replaced, earlier, failures) = await statements.BeforeAsync(result, id, cancellationToken);
        if (replaced is not null)
        {
            delta.Count(replaced, -1);
        }

        delta.Count(result.Outcome.ToString(), +1);
        delta.Retried += earlier == 1 ? 1 : 0;
        delta.Flaky += (result.Outcome == TestRunOutcome.Passed && failures > 0 ? 1 : 0) - (replaced == "Passed" && failures > 0 ? 1 : 0);
    }

    private async Task<BatchInfo> AddAsync(DbTransaction transaction, long batchKey, CountDelta delta, DateTimeOffset now, BatchRow row, CancellationToken cancellationToken)
    {
        await using var update = Command(
            transaction,
            $"""
            UPDATE batches SET last_activity_at = @now, passed = passed + @passed, failed = failed + @failed, skipped = skipped + @skipped,
                test_batches = test_batches + @testBatches, agents = agents + @agents, test_ms = test_ms + @testMillis,
                flaky = flaky + @flaky, retried = retried + @retried
            WHERE id = @key
            RETURNING {row.Columns}
            """,
            ("@now", dialect.Time(now)), ("@passed", delta.Passed), ("@failed", delta.Failed), ("@skipped", delta.Skipped),
            ("@testBatches", delta.TestBatches), ("@agents", delta.Agents), ("@testMillis", delta.TestMillis),
            ("@flaky", delta.Flaky), ("@retried", delta.Retried), ("@key", batchKey));
        await using var reader = await update.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return row.Read(reader).Batch;
    }

    // The statements of one call, each prepared once and run for every result with new values.
    // They find a result's test, run and agent by the digests of its texts, which the indexes key
    // on (see TextDigest).
    private sealed class Statements : IAsyncDisposable
    {
        // A digest parameter's value until a result's is set: bytes, so that the parameter is one.
        private static readonly byte[] NoDigest = new byte[TextDigest.Length];

        private readonly SqlDialect _dialect;
        private readonly DbCommand _insert;
        private readonly DbCommand _previous;
        private readonly DbCommand _run;
        private readonly DbCommand _agent;

        public Statements(DbTransaction transaction, long key, SqlDialect dialect)
        {
            _dialect = dialect;
            _insert = Command(
                transaction,
                """
                INSERT INTO test_results (batch_key, batch_id, test_batch, assembly, full_name, display_name, outcome, duration_ms, finished_at, agent, attempt, error_message,
                                          assembly_digest, name_digest, agent_digest, attempt_digest)
                VALUES (@key, @batch, @testBatch, @assembly, @name, @display, @outcome, @duration, @finished, @agent, @attempt, @error,
                        @assemblyDigest, @nameDigest, @agentDigest, @attemptDigest)
                ON CONFLICT DO NOTHING
                RETURNING id
                """,
                ("@key", key), ("@batch", string.Empty), ("@testBatch", 0), ("@assembly", string.Empty), ("@name", string.Empty), ("@display", string.Empty),
                ("@outcome", string.Empty), ("@duration", 0.0), ("@finished", dialect.Time(DateTimeOffset.UnixEpoch)), ("@agent", string.Empty),
                ("@attempt", string.Empty), ("@error", DBNull.Value),
                ("@assemblyDigest", NoDigest), ("@nameDigest", NoDigest), ("@agentDigest", NoDigest), ("@attemptDigest", NoDigest));
            _previous = Command(
                transaction,
                """
                SELECT (SELECT outcome FROM test_results WHERE batch_key = @key AND assembly_digest = @assembly AND name_digest = @name AND id < @id ORDER BY id DESC LIMIT 1),
                       COUNT(*), COALESCE(SUM(CASE WHEN outcome = 'Failed' THEN 1 ELSE 0 END), 0)
                FROM test_results WHERE batch_key = @key AND assembly_digest = @assembly AND name_digest = @name AND id < @id
                """,
                ("@key", key), ("@assembly", NoDigest), ("@name", NoDigest), ("@id", 0L));
            _run = Command(
                transaction,
                """
                SELECT COUNT(*) FROM (
                    SELECT 1 FROM test_results
                    WHERE batch_key = @key AND attempt_digest = @attempt AND agent_digest = @agent AND assembly_digest = @assembly AND test_batch = @testBatch
                    LIMIT 2) AS seen
                """,
                ("@key", key), ("@attempt", NoDigest), ("@agent", NoDigest), ("@assembly", NoDigest), ("@testBatch", 0));
            _agent = Command(
                transaction,
                "SELECT COUNT(*) FROM (SELECT 1 FROM test_results WHERE batch_key = @key AND agent_digest = @agent LIMIT 2) AS seen",
                ("@key", key), ("@agent", NoDigest));
        }

        // The new row's ID, or null when the batch holds the test's attempt already.
        public async Task<long?> InsertAsync(TestResultRecord result, CancellationToken cancellationToken)
        {
            _insert.Parameters["@batch"].Value = result.BatchId.Value;
            _insert.Parameters["@testBatch"].Value = result.TestBatch;
            _insert.Parameters["@assembly"].Value = result.Test.Assembly;
            _insert.Parameters["@name"].Value = result.Test.FullyQualifiedName;
            _insert.Parameters["@display"].Value = result.DisplayName;
            _insert.Parameters["@outcome"].Value = result.Outcome.ToString();
            _insert.Parameters["@duration"].Value = result.DurationMillis;
            _insert.Parameters["@finished"].Value = _dialect.Time(result.FinishedAt);
            _insert.Parameters["@agent"].Value = result.Agent;
            _insert.Parameters["@attempt"].Value = result.Attempt;
            _insert.Parameters["@error"].Value = (object?)result.ErrorMessage ?? DBNull.Value;
            _insert.Parameters["@assemblyDigest"].Value = TextDigest.Of(result.Test.Assembly);
            _insert.Parameters["@nameDigest"].Value = TextDigest.Of(result.Test.FullyQualifiedName);
            _insert.Parameters["@agentDigest"].Value = TextDigest.Of(result.Agent);
            _insert.Parameters["@attemptDigest"].Value = TextDigest.Of(result.Attempt);
            return await _insert.ExecuteScalarAsync(cancellationToken) is { } inserted and not DBNull ? Convert.ToInt64(inserted, CultureInfo.InvariantCulture) : null;
        }

        // The test's results in the batch before the row <paramref name="id"/>: the latest one's
        // outcome (null when none), how many and how many failed.
        public async Task<(string? Latest, int Results, int Failures)> BeforeAsync(TestResultRecord result, long id, CancellationToken cancellationToken)
        {
            _previous.Parameters["@assembly"].Value = TextDigest.Of(result.Test.Assembly);
            _previous.Parameters["@name"].Value = TextDigest.Of(result.Test.FullyQualifiedName);
            _previous.Parameters["@id"].Value = id;
            await using var before = await _previous.ExecuteReaderAsync(cancellationToken);
            await before.ReadAsync(cancellationToken);
            return (before.IsDBNull(0) ? null : before.GetString(0), Int(before, 1), Int(before, 2));
        }

        public async Task<bool> IsFirstOfRunAsync(TestResultRecord result, CancellationToken cancellationToken)
        {
            _run.Parameters["@attempt"].Value = TextDigest.Of(result.Attempt);
            _run.Parameters["@agent"].Value = TextDigest.Of(result.Agent);
            _run.Parameters["@assembly"].Value = TextDigest.Of(result.Test.Assembly);
            _run.Parameters["@testBatch"].Value = result.TestBatch;
            return Convert.ToInt64(await _run.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) == 1;
        }

        public async Task<bool> IsFirstOfAgentAsync(TestResultRecord result, CancellationToken cancellationToken)
        {
            _agent.Parameters["@agent"].Value = TextDigest.Of(result.Agent);
            return Convert.ToInt64(await _agent.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) == 1;
        }

        public async ValueTask DisposeAsync()
        {
            await _insert.DisposeAsync();
            await _previous.DisposeAsync();
            await _run.DisposeAsync();
            await _agent.DisposeAsync();
        }
    }

    // What one call's kept results add to the batch's counts.
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
}
