using System.Data.Common;
using System.Globalization;
using BatchBuild.Core.Store;
using static BatchBuild.Store.SqlCommands;

namespace BatchBuild.Store;

// The prepared statements one insert runs for every result.
internal sealed partial class RowByRowResultInserter
{
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
                INSERT INTO test_results (batch_key, batch_id, test_batch, assembly, full_name, display_name, outcome,
                                          duration_ms, finished_at, agent, attempt, error_message,
                                          assembly_digest, name_digest, agent_digest, attempt_digest)
                VALUES (@key, @batch, @testBatch, @assembly, @name, @display, @outcome,
                        @duration, @finished, @agent, @attempt, @error,
                        @assemblyDigest, @nameDigest, @agentDigest, @attemptDigest)
                ON CONFLICT DO NOTHING
                RETURNING id
                """,
                ("@key", key),
                ("@batch", string.Empty),
                ("@testBatch", 0),
                ("@assembly", string.Empty),
                ("@name", string.Empty),
                ("@display", string.Empty),
                ("@outcome", string.Empty),
                ("@duration", 0.0),
                ("@finished", dialect.Time(DateTimeOffset.UnixEpoch)),
                ("@agent", string.Empty),
                ("@attempt", string.Empty),
                ("@error", DBNull.Value),
                ("@assemblyDigest", NoDigest),
                ("@nameDigest", NoDigest),
                ("@agentDigest", NoDigest),
                ("@attemptDigest", NoDigest));
            _previous = Command(
                transaction,
                """
                SELECT (SELECT outcome FROM test_results
                        WHERE batch_key = @key AND assembly_digest = @assembly AND name_digest = @name AND id < @id
                        ORDER BY id DESC LIMIT 1),
                       COUNT(*), COALESCE(SUM(CASE WHEN outcome = 'Failed' THEN 1 ELSE 0 END), 0)
                FROM test_results
                WHERE batch_key = @key AND assembly_digest = @assembly AND name_digest = @name AND id < @id
                """,
                ("@key", key), ("@assembly", NoDigest), ("@name", NoDigest), ("@id", 0L));
            _run = Command(
                transaction,
                """
                SELECT COUNT(*) FROM (
                    SELECT 1 FROM test_results
                    WHERE batch_key = @key AND attempt_digest = @attempt AND agent_digest = @agent
                      AND assembly_digest = @assembly AND test_batch = @testBatch
                    LIMIT 2) AS seen
                """,
                ("@key", key),
                ("@attempt", NoDigest),
                ("@agent", NoDigest),
                ("@assembly", NoDigest),
                ("@testBatch", 0));
            _agent = Command(
                transaction,
                "SELECT COUNT(*) FROM (SELECT 1 FROM test_results "
                + "WHERE batch_key = @key AND agent_digest = @agent LIMIT 2) AS seen",
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
            return await _insert.ExecuteScalarAsync(cancellationToken) is { } inserted and not DBNull
                ? Convert.ToInt64(inserted, CultureInfo.InvariantCulture)
                : null;
        }

        // The test's results in the batch before the row <paramref name="id"/>: the latest one's
        // outcome (null when none), how many and how many failed.
        public async Task<(string? Latest, int Results, int Failures)> BeforeAsync(
            TestResultRecord result, long id, CancellationToken cancellationToken)
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
            var seen = await _agent.ExecuteScalarAsync(cancellationToken);
            return Convert.ToInt64(seen, CultureInfo.InvariantCulture) == 1;
        }

        public async ValueTask DisposeAsync()
        {
            await _insert.DisposeAsync();
            await _previous.DisposeAsync();
            await _run.DisposeAsync();
            await _agent.DisposeAsync();
        }
    }
}
