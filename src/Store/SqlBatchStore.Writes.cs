using System.Data.Common;
using System.Globalization;
using BatchBuild.Core.Api;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Store;
using static BatchBuild.Store.SqlCommands;

namespace BatchBuild.Store;

// Recording results, and starting and closing batches explicitly.
public sealed partial class SqlBatchStore
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<BatchInfo>> RecordResultsAsync(
        IReadOnlyCollection<TestResultRecord> results, CancellationToken cancellationToken = default)
    {
        // The server's requests are validated against the same limit before they get here.
        if (results.Select(result => result.BatchId).Distinct().Count() > ResultsRequest.MaxBatchesPerReport)
        {
            throw new ArgumentException(
                $"Results of more than {ResultsRequest.MaxBatchesPerReport} batch IDs in one call; "
                + "record them in several.",
                nameof(results));
        }

        // Grouped before the write lock is taken: other writers wait for as little as possible.
        var groups = results
            .GroupBy(result => result.BatchId)
            .Select(group => (Id: group.Key, Results: (IReadOnlyList<TestResultRecord>)[.. group]))
            .ToList();
        var ids = groups.Select(group => group.Id).ToList();
        var now = Now;
        return await WriteAsync(async transaction =>
        {
            // A handful of statements per report, however many results and batch IDs it has.
            var keys = await CloseExpiredAndFindActiveAsync(transaction, now, ids, cancellationToken);
            if (ids.Where(id => !keys.ContainsKey(id.Value)).ToList() is { Count: > 0 } missing)
            {
                foreach (var (id, key) in await StartAsync(transaction, missing, now, cancellationToken))
                {
                    keys[id] = key;
                }
            }

            return groups.Count == 0
                ? []
                : await _dialect.Results.InsertAsync(
                    transaction,
                    [.. groups.Select(group => new BatchResults(keys[group.Id.Value], group.Results))],
                    now,
                    _batchRow,
                    cancellationToken);
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
                return new CloseResult(
                    CloseStatus.Closed,
                    await ReadBatchAsync(transaction, key, cancellationToken),
                    await FailedTestsAsync(transaction, key, cancellationToken));
            }

            var latest = await LatestAsync(transaction, id, cancellationToken);
            return new CloseResult(latest is null ? CloseStatus.Unknown : CloseStatus.AlreadyClosed, latest, []);
        }, cancellationToken);
    }

    private static async Task<long?> ActiveKeyAsync(
        DbTransaction transaction, BatchId id, CancellationToken cancellationToken)
    {
        await using var query = Command(
            transaction, "SELECT id FROM batches WHERE batch_id = @id AND state = 'Active'", ("@id", id.Value));
        return await query.ExecuteScalarAsync(cancellationToken) is { } key and not DBNull
            ? Convert.ToInt64(key, CultureInfo.InvariantCulture)
            : null;
    }

    // Starts a batch for each of ids, which have none active, in one statement and in their order,
    // so that keys follow the order the IDs were first reported in; returns their keys by ID value.
    private async Task<Dictionary<string, long>> StartAsync(
        DbTransaction transaction, IReadOnlyList<BatchId> ids, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rows = ids.Select((_, i) =>
            $"(@id{i}, (SELECT COALESCE(MAX(sequence), 0) + 1 FROM batches WHERE batch_id = @id{i}), "
            + "'Active', @now, @now, @notify, 0, 0, 0, 0, 0, 0)");
        await using var insert = Command(
            transaction,
            $"""
            INSERT INTO batches (batch_id, sequence, state, started_at, last_activity_at, notify,
                                 passed, failed, skipped, test_batches, agents, test_ms)
            VALUES {string.Join(",\n", rows)}
            RETURNING id, batch_id
            """,
            [
                ("@now", _dialect.Time(now)),
                ("@notify", _options.NotifyOnCompletion ? 1 : 0),
                .. ids.Select((id, i) => ($"@id{i}", (object)id.Value)),
            ]);
        var started = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await insert.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            started[reader.GetString(1)] = reader.GetInt64(0);
        }

        return started;
    }

    // Closes, which freezes the counts: no result joins a closed batch. The state condition makes
    // a second close a no-op.
    private Task CloseAsync(
        DbTransaction transaction,
        long key,
        CloseReason reason,
        DateTimeOffset now,
        CancellationToken cancellationToken) =>
        NonQueryAsync(
            transaction,
            """
            UPDATE batches SET state = 'Closed', closed_at = @now, close_reason = @reason
            WHERE id = @key AND state = 'Active'
            """,
            cancellationToken,
            ("@now", _dialect.Time(now)),
            ("@reason", reason.ToString()),
            ("@key", key));
}
