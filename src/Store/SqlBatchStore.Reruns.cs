using System.Data.Common;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Discovery;
using static BatchBuild.Store.SqlCommands;

namespace BatchBuild.Store;

// A re-run of a CI job joining, re-opening or starting its batch, and the tests it may skip.
public sealed partial class SqlBatchStore
{
    /// <inheritdoc />
    /// <remarks>
    /// One write decides for the whole attempt, under the write lock: the first agent of a re-run
    /// re-opens the run's batch or starts a new one, and every later agent, project and process of
    /// the attempt finds that batch open and joins it, so the attempt never splits over two batches.
    /// A closed batch is re-opened with its results and counts; its notification is due again at its
    /// next close. A batch older than the maximum age is not re-opened, as it would expire at once.
    /// </remarks>
    public async Task<RerunResult?> JoinRerunAsync(
        BatchId id, Rerun rerun, CancellationToken cancellationToken = default)
    {
        var now = Now;
        return await WriteAsync(async transaction =>
        {
            await CloseExpiredAsync(transaction, now, cancellationToken);
            (string, object)[] attempt = [("@attempt", rerun.Attempt), ("@now", _dialect.Time(now))];
            if (await ActiveKeyAsync(transaction, id, cancellationToken) is { } active)
            {
                var open = await ReadBatchAsync(transaction, active, cancellationToken);
                if (open.CiAttempt >= rerun.Attempt)
                {
                    return new RerunResult(RerunStatus.Joined, open);
                }

                // An earlier attempt's batch that nobody closed: the re-run joins it as it is.
                await NonQueryAsync(
                    transaction,
                    "UPDATE batches SET ci_attempt = @attempt, rerun = 1 WHERE id = @key",
                    cancellationToken,
                    [.. attempt, ("@key", active)]);
                return new RerunResult(
                    RerunStatus.Reopened, await ReadBatchAsync(transaction, active, cancellationToken));
            }

            var latest = (await ReadRowsAsync(
                transaction,
                "batch_id = @id ORDER BY sequence DESC LIMIT 1",
                cancellationToken,
                ("@id", id.Value))).SingleOrDefault();
            var tooOld = latest.Batch is { } old && old.StartedAt < Cutoff(now, _options.Limits.MaxAge);
            if (latest.Batch is null
                || tooOld
                || await SharePassedAsync(transaction, latest.Key, latest.Batch, rerun, cancellationToken))
            {
                var started = (await StartAsync(transaction, [id], now, cancellationToken))[id.Value];
                await NonQueryAsync(
                    transaction,
                    "UPDATE batches SET ci_attempt = @attempt WHERE id = @key",
                    cancellationToken,
                    [.. attempt, ("@key", started)]);
                return new RerunResult(
                    RerunStatus.Started, await ReadBatchAsync(transaction, started, cancellationToken), tooOld);
            }

            // Its next close is notified afresh, to every webhook: the deliveries of the first close
            // (delivered, given up, or still on their way) make way for those of the next.
            await NonQueryAsync(
                transaction,
                """
                UPDATE batches SET state = 'Active', closed_at = NULL, close_reason = NULL, last_activity_at = @now,
                    claimed_at = NULL, notified_at = NULL, notify_attempts = 0, notify_after = NULL,
                    deliveries_at = NULL,
                    ci_attempt = @attempt, rerun = 1
                WHERE id = @key AND state = 'Closed';
                DELETE FROM notification_deliveries WHERE batch_key = @key;
                """,
                cancellationToken,
                [.. attempt, ("@key", latest.Key)]);
            return new RerunResult(
                RerunStatus.Reopened, await ReadBatchAsync(transaction, latest.Key, cancellationToken));
        }, cancellationToken);
    }

    // Whether the re-running agent's share of a closed batch passed, in a batch without a failed
    // test: then its job passed, and only a re-run of every job runs it again. Its share is what
    // its results name (its index before '@'); an agent with no result in the batch did not pass.
    private static async Task<bool> SharePassedAsync(
        DbTransaction transaction, long key, BatchInfo batch, Rerun rerun, CancellationToken cancellationToken)
    {
        if (batch.Counts.Failed > 0)
        {
            return false;
        }

        await using var query = Command(
            transaction,
            """
            SELECT COUNT(*), COALESCE(SUM(CASE WHEN outcome IN ('Passed', 'Skipped') THEN 0 ELSE 1 END), 0) FROM (
                SELECT outcome, ROW_NUMBER() OVER (PARTITION BY assembly, full_name ORDER BY id DESC) AS recency
                FROM test_results WHERE batch_key = @key AND agent LIKE @agents) AS latest
            WHERE recency = 1
            """,
            ("@key", key),
            ("@agents", rerun.AgentNamePattern));
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) && Int(reader, 0) > 0 && Int(reader, 1) == 0;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<TestKey>> GetFinishedTestsAsync(
        BatchId id, int sequence, CancellationToken cancellationToken = default) =>
        ReadAsync(
            async transaction =>
            {
                var finished = new List<TestKey>();
                await using var query = Command(
                    transaction,
                    """
                    SELECT assembly, full_name FROM (
                        SELECT assembly, full_name, outcome,
                               ROW_NUMBER() OVER (PARTITION BY assembly, full_name ORDER BY test_results.id DESC)
                                   AS recency
                        FROM test_results JOIN batches ON batches.id = test_results.batch_key
                        WHERE batches.batch_id = @id AND batches.sequence = @sequence) AS latest
                    WHERE recency = 1 AND outcome IN ('Passed', 'Skipped')
                    """,
                    ("@id", id.Value),
                    ("@sequence", sequence));
                await using var reader = await query.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    finished.Add(new TestKey(reader.GetString(0), reader.GetString(1)));
                }

                return (IReadOnlyList<TestKey>)finished;
            },
            cancellationToken);
}
