using System.Data.Common;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Store;
using Npgsql;

namespace BatchBuild.Store.Postgres;

/// <summary>
/// Inserts a report's results in one statement, whatever their number and however many batches
/// they belong to: the results travel as one array per column and are unnested, and each batch's
/// counts move by what its kept results change, worked out from them and the batch's earlier
/// results of the same tests, runs and agents. One round trip per report instead of several per result.
/// </summary>
internal sealed class PostgresResultInserter : ResultInserter
{
    // A data-modifying WITH: every part sees the results as they were before the statement, and
    // the inserted rows only through RETURNING. So "earlier" is what a batch held before this
    // report and "kept" is what the report added, and a batch's new counts are its old ones plus
    // the counts of its touched tests after the report minus the same tests' counts before it; for
    // runs and agents, those that no earlier result of the batch has. The write lock orders
    // writers, so the new rows' IDs are larger than every earlier one; the insert takes the
    // results in their order, so a test's latest kept result has the largest ID, and of two
    // results with the same test and attempt in one report ON CONFLICT keeps the first, as
    // inserting one at a time would. Every look at earlier results is a LATERAL subquery, one
    // index probe per test, run or agent of the report: as a join, the planner may hash all of a
    // batch's results instead (statistics lag behind a table that grows fast), and a report would
    // cost more the larger its batch already is. Tests, runs and agents are told apart by the
    // digests of their texts, which the indexes key on (see TextDigest). Every batch of the report
    // is updated, also when none of its results was kept, for its last activity. The statement
    // ends in RETURNING, for the batch columns the store reads.
    private const string Insert = """
        WITH report AS (
            SELECT * FROM UNNEST(@batch_key::bigint[], @batch_id::text[], @test_batch::integer[], @assembly::text[],
                                 @full_name::text[], @display_name::text[], @outcome::text[],
                                 @duration_ms::double precision[], @finished_at::timestamptz[],
                                 @agent::text[], @attempt::text[], @error_message::text[],
                                 @assembly_digest::bytea[], @name_digest::bytea[], @agent_digest::bytea[],
                                 @attempt_digest::bytea[])
                WITH ORDINALITY AS report (batch_key, batch_id, test_batch, assembly, full_name, display_name, outcome,
                                           duration_ms, finished_at, agent, attempt, error_message, assembly_digest,
                                           name_digest, agent_digest, attempt_digest, position)),
        kept AS (
            INSERT INTO test_results (batch_key, batch_id, test_batch, assembly, full_name, display_name, outcome,
                                      duration_ms, finished_at, agent, attempt, error_message,
                                      assembly_digest, name_digest, agent_digest, attempt_digest)
            SELECT batch_key, batch_id, test_batch, assembly, full_name, display_name, outcome,
                   duration_ms, finished_at, agent, attempt, error_message,
                   assembly_digest, name_digest, agent_digest, attempt_digest
            FROM report ORDER BY position
            ON CONFLICT DO NOTHING
            RETURNING id, batch_key, test_batch, outcome, duration_ms,
                      assembly_digest, name_digest, agent_digest, attempt_digest),
        added AS (
            SELECT batch_key, assembly_digest, name_digest,
                   COUNT(*) AS runs, COUNT(*) FILTER (WHERE outcome = 'Failed') AS failures,
                   (ARRAY_AGG(outcome ORDER BY id DESC))[1] AS latest, SUM(duration_ms) AS millis
            FROM kept GROUP BY batch_key, assembly_digest, name_digest),
        tests AS (
            SELECT added.*,
                   earlier.runs AS runs_before, earlier.failures AS failures_before, earlier.latest AS latest_before
            FROM added CROSS JOIN LATERAL (
                SELECT COUNT(*) AS runs, COUNT(*) FILTER (WHERE outcome = 'Failed') AS failures,
                       (ARRAY_AGG(outcome ORDER BY id DESC))[1] AS latest
                FROM test_results
                WHERE batch_key = added.batch_key
                  AND assembly_digest = added.assembly_digest AND name_digest = added.name_digest) AS earlier),
        delta AS (
            SELECT batch_key,
                   SUM(CASE WHEN latest = 'Passed' THEN 1 ELSE 0 END
                     - CASE WHEN latest_before = 'Passed' THEN 1 ELSE 0 END) AS passed_by,
                   SUM(CASE WHEN latest = 'Failed' THEN 1 ELSE 0 END
                     - CASE WHEN latest_before = 'Failed' THEN 1 ELSE 0 END) AS failed_by,
                   SUM(CASE WHEN latest NOT IN ('Passed', 'Failed') THEN 1 ELSE 0 END
                     - CASE WHEN latest_before NOT IN ('Passed', 'Failed') THEN 1 ELSE 0 END) AS skipped_by,
                   SUM(CASE WHEN latest = 'Passed' AND failures + failures_before > 0 THEN 1 ELSE 0 END
                     - CASE WHEN latest_before = 'Passed' AND failures_before > 0 THEN 1 ELSE 0 END) AS flaky_by,
                   SUM(CASE WHEN runs + runs_before > 1 THEN 1 ELSE 0 END
                     - CASE WHEN runs_before > 1 THEN 1 ELSE 0 END) AS retried_by,
                   SUM(millis) AS millis_by
            FROM tests GROUP BY batch_key),
        new_runs AS (
            SELECT run.batch_key, COUNT(*) AS added
            FROM (SELECT DISTINCT batch_key, attempt_digest, agent_digest, assembly_digest, test_batch FROM kept) AS run
            LEFT JOIN LATERAL (
                SELECT 1 AS seen FROM test_results
                WHERE batch_key = run.batch_key AND attempt_digest = run.attempt_digest
                  AND agent_digest = run.agent_digest
                  AND assembly_digest = run.assembly_digest AND test_batch = run.test_batch
                LIMIT 1) AS earlier ON TRUE
            WHERE earlier.seen IS NULL
            GROUP BY run.batch_key),
        new_agents AS (
            SELECT reported.batch_key, COUNT(*) AS added
            FROM (SELECT DISTINCT batch_key, agent_digest FROM kept) AS reported
            LEFT JOIN LATERAL (
                SELECT 1 AS seen FROM test_results
                WHERE batch_key = reported.batch_key AND agent_digest = reported.agent_digest
                LIMIT 1) AS earlier ON TRUE
            WHERE earlier.seen IS NULL
            GROUP BY reported.batch_key),
        moved AS (
            SELECT touched.batch_key,
                   COALESCE(delta.passed_by, 0) AS passed_by, COALESCE(delta.failed_by, 0) AS failed_by,
                   COALESCE(delta.skipped_by, 0) AS skipped_by, COALESCE(delta.flaky_by, 0) AS flaky_by,
                   COALESCE(delta.retried_by, 0) AS retried_by, COALESCE(delta.millis_by, 0) AS millis_by,
                   COALESCE(new_runs.added, 0) AS runs_by, COALESCE(new_agents.added, 0) AS agents_by
            FROM (SELECT DISTINCT batch_key FROM report) AS touched
            LEFT JOIN delta ON delta.batch_key = touched.batch_key
            LEFT JOIN new_runs ON new_runs.batch_key = touched.batch_key
            LEFT JOIN new_agents ON new_agents.batch_key = touched.batch_key)
        UPDATE batches SET last_activity_at = @now,
            passed = passed + moved.passed_by, failed = failed + moved.failed_by, skipped = skipped + moved.skipped_by,
            test_batches = test_batches + moved.runs_by, agents = agents + moved.agents_by,
            test_ms = test_ms + moved.millis_by,
            flaky = flaky + moved.flaky_by, retried = retried + moved.retried_by
        FROM moved
        WHERE batches.id = moved.batch_key
        RETURNING
        """;

    /// <inheritdoc />
    public override async Task<IReadOnlyList<BatchInfo>> InsertAsync(
        DbTransaction transaction,
        IReadOnlyList<BatchResults> batches,
        DateTimeOffset now,
        BatchRow row,
        CancellationToken cancellationToken)
    {
        var results = batches
            .SelectMany(batch => batch.Results.Select(result => (batch.Key, Result: result)))
            .ToList();
        await using var command = new NpgsqlCommand(
            $"{Insert} {row.Columns}", (NpgsqlConnection)transaction.Connection!, (NpgsqlTransaction)transaction);
        var parameters = command.Parameters;
        parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", now.ToUniversalTime()));
        parameters.Add(Column("batch_key", results, result => result.Key));
        parameters.Add(Column("batch_id", results, result => result.Result.BatchId.Value));
        parameters.Add(Column("test_batch", results, result => result.Result.TestBatch));
        parameters.Add(Column("assembly", results, result => result.Result.Test.Assembly));
        parameters.Add(Column("full_name", results, result => result.Result.Test.FullyQualifiedName));
        parameters.Add(Column("display_name", results, result => result.Result.DisplayName));
        parameters.Add(Column("outcome", results, result => result.Result.Outcome.ToString()));
        parameters.Add(Column("duration_ms", results, result => result.Result.DurationMillis));
        parameters.Add(Column("finished_at", results, result => result.Result.FinishedAt.ToUniversalTime()));
        parameters.Add(Column("agent", results, result => result.Result.Agent));
        parameters.Add(Column("attempt", results, result => result.Result.Attempt));
        parameters.Add(Column("error_message", results, result => result.Result.ErrorMessage));
        parameters.Add(Column("assembly_digest", results, result => TextDigest.Of(result.Result.Test.Assembly)));
        parameters.Add(Column("name_digest", results, result => TextDigest.Of(result.Result.Test.FullyQualifiedName)));
        parameters.Add(Column("agent_digest", results, result => TextDigest.Of(result.Result.Agent)));
        parameters.Add(Column("attempt_digest", results, result => TextDigest.Of(result.Result.Attempt)));

        // Not prepared: a plan cached while the table was small would keep scanning a batch's
        // results where an index finds them, long after the table has grown. Planned anew, the
        // statement always fits the table as it is.
        var updated = new Dictionary<long, BatchInfo>(batches.Count);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var (key, batch) = row.Read(reader);
            updated[key] = batch;
        }

        return [.. batches.Select(batch => updated[batch.Key])];
    }

    // One column of the results as an array parameter; Npgsql sends a null element as NULL.
    private static NpgsqlParameter<T[]> Column<T>(
        string name,
        List<(long Key, TestResultRecord Result)> results,
        Func<(long Key, TestResultRecord Result), T> value)
    {
        var values = new T[results.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = value(results[i]);
        }

        return new NpgsqlParameter<T[]>(name, values);
    }
}
