using System.Data.Common;
using BatchBuild.Core.Batches;
using static BatchBuild.Store.SqlCommands;

namespace BatchBuild.Store;

// Closing the batches that were idle or open too long, which every write does first.
public sealed partial class SqlBatchStore
{
    /// <inheritdoc />
    public Task<IReadOnlyList<BatchInfo>> CloseExpiredAsync(CancellationToken cancellationToken = default) =>
        WriteAsync(transaction => CloseExpiredAsync(transaction, Now, cancellationToken), cancellationToken);

    // Runs before every write, so it must not cost more with more active batches: one statement
    // that the partial indexes on active batches' start and last activity answer, instead of
    // reading every active batch. Each half of the UNION ALL searches one index (SQLite scans the
    // whole table for an OR, and for a UNION, which it merges in key order); a key in both halves
    // is in the IN list twice, which changes nothing. The cut-offs keep the rule of BatchLimits
    // exactly: a batch expires when now minus its time is strictly more than the limit, and age
    // wins over idle. Its parameters are ExpiryParameters.
    private const string CloseExpired = """
        UPDATE batches SET state = 'Closed', closed_at = @now,
            close_reason = CASE WHEN started_at < @ageCutoff THEN 'Age' ELSE 'Idle' END
        WHERE id IN (
            SELECT id FROM batches WHERE state = 'Active' AND started_at < @ageCutoff
            UNION ALL
            SELECT id FROM batches WHERE state = 'Active' AND last_activity_at < @idleCutoff)
        RETURNING id
        """;

    private (string Name, object Value)[] ExpiryParameters(DateTimeOffset now) =>
    [
        ("@now", _dialect.Time(now)),
        ("@ageCutoff", _dialect.Time(Cutoff(now, _options.Limits.MaxAge))),
        ("@idleCutoff", _dialect.Time(Cutoff(now, _options.Limits.IdleTimeout))),
    ];

    private async Task<IReadOnlyList<BatchInfo>> CloseExpiredAsync(
        DbTransaction transaction, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var keys = new List<long>();
        await using (var close = Command(transaction, CloseExpired, ExpiryParameters(now)))
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

    // What a report does before its inserts, in one round trip instead of one per statement:
    // closes the expired batches (which the report does not return) and then finds the active
    // batches of ids, by ID value. A batch that has just expired is not among them.
    private async Task<Dictionary<string, long>> CloseExpiredAndFindActiveAsync(
        DbTransaction transaction, DateTimeOffset now, IReadOnlyList<BatchId> ids, CancellationToken cancellationToken)
    {
        var names = ids.Select((_, i) => $"@id{i}").ToList();
        var find = ids.Count == 0
            ? string.Empty
            : ";\nSELECT batch_id, id FROM batches "
                + $"WHERE state = 'Active' AND batch_id IN ({string.Join(", ", names)})";
        await using var command = Command(
            transaction,
            CloseExpired + find,
            [.. ExpiryParameters(now), .. ids.Select((id, i) => (names[i], (object)id.Value))]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var active = new Dictionary<string, long>(StringComparer.Ordinal);
        if (ids.Count > 0 && await reader.NextResultAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                active[reader.GetString(0)] = reader.GetInt64(1);
            }
        }

        return active;
    }

    // The time before which a batch has been open or idle longer than limit at now, within the
    // range of times: a limit longer than all of time expires nothing.
    private static DateTimeOffset Cutoff(DateTimeOffset now, TimeSpan limit)
    {
        var ticks = Int128.Clamp(
            (Int128)now.UtcTicks - limit.Ticks, DateTimeOffset.MinValue.UtcTicks, DateTimeOffset.MaxValue.UtcTicks);
        return new DateTimeOffset((long)ticks, TimeSpan.Zero);
    }
}
