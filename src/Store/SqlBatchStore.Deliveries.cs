using System.Data.Common;
using System.Globalization;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Store;
using static BatchBuild.Store.SqlCommands;

namespace BatchBuild.Store;

/// <summary>
/// The batch server's notification outbox (schema version 6): a closed batch that notifies is
/// taken up once, with one row in <c>notification_deliveries</c> per target, and each row is
/// claimed, tried, backed off, delivered or given up on its own. A row is claimed under the write
/// lock, so one server instance tries it at a time; once delivered it is never claimed again. The
/// batch is marked notified when its every row is delivered or given up.
/// </summary>
public sealed partial class SqlBatchStore : INotificationOutbox
{
    /// <summary>
    /// The longest one try of a delivery may take: half the time after which a claim is taken to
    /// belong to a process that died, so that no live try is ever claimed a second time.
    /// </summary>
    public static readonly TimeSpan MaxDeliveryTime = StaleClaim / 2;

    // How many batches one look takes up; more wait for the next look, which follows at once.
    private const int TakeUpLimit = 100;

    // The longest error text kept with a delivery.
    private const int MaxErrorLength = 500;

    private const string Untaken =
        "state = 'Closed' AND notify = 1 AND notified_at IS NULL AND deliveries_at IS NULL";

    // A delivery that is neither delivered nor given up: ix_deliveries_open.
    private const string Open = "delivered_at IS NULL AND given_up_at IS NULL";

    private const string DeliveryColumns =
        "b.batch_id, b.sequence, d.target_name, d.attempts, d.next_at, d.delivered_at, d.given_up_at, "
        + "d.last_error";

    /// <inheritdoc />
    public async Task<DeliveryClaim> ClaimDeliveriesAsync(
        IReadOnlyCollection<NotificationTarget> targets,
        IReadOnlyDictionary<string, int> free,
        CancellationToken cancellationToken = default)
    {
        var now = Now;
        var claimable = targets.Where(target => free.GetValueOrDefault(target.Key) > 0).ToList();

        // The outbox looks after every write and mostly finds nothing: a look without the write
        // lock says so without making writers wait.
        if (!await ReadAsync(
            transaction => AnythingToTakeUpOrTryAsync(transaction, claimable, now, cancellationToken),
            cancellationToken))
        {
            return DeliveryClaim.None;
        }

        return await WriteAsync(
            async transaction =>
            {
                var completions = new Dictionary<long, BatchCompletion>();
                var takenUp = new List<BatchCompletion>();
                foreach (var key in await TakeUpAsync(transaction, targets, now, cancellationToken))
                {
                    takenUp.Add(await CompletionAsync(transaction, key, completions, cancellationToken));
                }

                var deliveries = new List<NotificationDelivery>();
                foreach (var target in claimable)
                {
                    var claimed = new List<(long Id, long BatchKey, int Attempts)>();
                    await using (var claim = Command(
                        transaction,
                        $"""
                        UPDATE notification_deliveries SET claimed_at = @now
                        WHERE id IN (
                            SELECT id FROM notification_deliveries
                            WHERE target = @target AND {Open} AND next_at <= @now
                              AND (claimed_at IS NULL OR claimed_at < @stale)
                            ORDER BY id LIMIT @limit)
                        RETURNING id, batch_key, attempts
                        """,
                        ("@now", _dialect.Time(now)),
                        ("@stale", _dialect.Time(now - StaleClaim)),
                        ("@target", target.Key),
                        ("@limit", free[target.Key])))
                    await using (var reader = await claim.ExecuteReaderAsync(cancellationToken))
                    {
                        while (await reader.ReadAsync(cancellationToken))
                        {
                            claimed.Add((reader.GetInt64(0), reader.GetInt64(1), Int(reader, 2)));
                        }
                    }

                    foreach (var (id, batchKey, attempts) in claimed.OrderBy(row => row.Id))
                    {
                        var completion = await CompletionAsync(transaction, batchKey, completions, cancellationToken);
                        deliveries.Add(new NotificationDelivery(id, completion, target.Key, attempts + 1));
                    }
                }

                return new DeliveryClaim(takenUp, deliveries);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task CompleteDeliveryAsync(
        NotificationDelivery delivery, DeliveryOutcome outcome, CancellationToken cancellationToken = default) =>
        WriteAsync(
            async transaction =>
            {
                var now = Now;
                var set = (outcome.State, outcome.Attempted) switch
                {
                    (DeliveryState.Delivered, _) => "attempts = @attempts, delivered_at = @now, last_error = NULL",
                    (DeliveryState.GivenUp, _) => "attempts = @attempts, given_up_at = @now, last_error = @error",
                    (_, true) => "attempts = @attempts, next_at = @next, last_error = @error",
                    _ => "next_at = @now",
                };

                // Delivered or given up once: completing a delivery a second time changes nothing.
                await NonQueryAsync(
                    transaction,
                    $"UPDATE notification_deliveries SET claimed_at = NULL, {set} WHERE id = @id AND {Open}",
                    cancellationToken,
                    ("@id", delivery.Id),
                    ("@now", _dialect.Time(now)),
                    ("@attempts", delivery.Attempt),
                    ("@next", _dialect.Time(now + outcome.RetryAfter)),
                    ("@error", (object?)Cut(outcome.Error) ?? DBNull.Value));
                await NonQueryAsync(
                    transaction,
                    $"""
                    UPDATE batches SET notified_at = @now
                    WHERE id = (SELECT batch_key FROM notification_deliveries WHERE id = @id)
                      AND state = 'Closed' AND notified_at IS NULL
                      AND NOT EXISTS (SELECT 1 FROM notification_deliveries WHERE batch_key = batches.id AND {Open})
                    """,
                    cancellationToken,
                    ("@id", delivery.Id),
                    ("@now", _dialect.Time(now)));
                return true;
            },
            cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, int>> GiveUpOtherTargetsAsync(
        IReadOnlyCollection<NotificationTarget> targets,
        string reason,
        CancellationToken cancellationToken = default) =>
        WriteAsync(
            async transaction =>
            {
                var now = Now;
                var names = targets.Select((_, i) => $"@target{i}").ToList();
                var given = new Dictionary<string, int>(StringComparer.Ordinal);
                var others = targets.Count == 0 ? string.Empty : $" AND target NOT IN ({string.Join(", ", names)})";
                await using (var giveUp = Command(
                    transaction,
                    $"""
                    UPDATE notification_deliveries SET given_up_at = @now, claimed_at = NULL, last_error = @reason
                    WHERE {Open}{others}
                    RETURNING target_name
                    """,
                    [
                        ("@now", _dialect.Time(now)),
                        ("@reason", Cut(reason)!),
                        .. targets.Select((target, i) => (names[i], (object)target.Key)),
                    ]))
                await using (var reader = await giveUp.ExecuteReaderAsync(cancellationToken))
                {
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        given[reader.GetString(0)] = given.GetValueOrDefault(reader.GetString(0)) + 1;
                    }
                }

                if (given.Count > 0)
                {
                    await NonQueryAsync(
                        transaction,
                        $"""
                        UPDATE batches SET notified_at = @now
                        WHERE state = 'Closed' AND notify = 1 AND notified_at IS NULL AND deliveries_at IS NOT NULL
                          AND NOT EXISTS (SELECT 1 FROM notification_deliveries WHERE batch_key = batches.id AND {Open})
                        """,
                        cancellationToken,
                        ("@now", _dialect.Time(now)));
                }

                return (IReadOnlyDictionary<string, int>)given;
            },
            cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<DeliveryStatus>> GetDeliveriesAsync(
        BatchId id, int sequence, CancellationToken cancellationToken = default) =>
        ReadAsync(
            transaction => ReadDeliveriesAsync(
                transaction,
                "b.batch_id = @id AND b.sequence = @sequence ORDER BY d.target_name, d.id",
                cancellationToken,
                ("@id", id.Value),
                ("@sequence", sequence)),
            cancellationToken);

    /// <inheritdoc />
    public Task<DeliveryPage> ListDeliveriesAsync(
        DeliveryState? state, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(page, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, DeliveryPage.MaxPageSize);
        var filter = state switch
        {
            DeliveryState.Pending => Open,
            DeliveryState.Delivered => "delivered_at IS NOT NULL",
            DeliveryState.GivenUp => "given_up_at IS NOT NULL",
            _ => "1 = 1",
        };
        return ReadAsync(
            async transaction =>
            {
                await using var count = Command(
                    transaction, $"SELECT COUNT(*) FROM notification_deliveries d WHERE {filter}");
                var total = Convert.ToInt32(
                    await count.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
                var deliveries = await ReadDeliveriesAsync(
                    transaction,
                    $"{filter} ORDER BY d.id DESC LIMIT @limit OFFSET @offset",
                    cancellationToken,
                    ("@limit", pageSize),
                    ("@offset", (long)(page - 1) * pageSize));
                return new DeliveryPage(deliveries, total, page, pageSize);
            },
            cancellationToken);
    }

    // Whether a batch waits to be taken up, or a delivery to one of targets is due: each part is
    // answered by a partial index of schema version 6.
    private async Task<bool> AnythingToTakeUpOrTryAsync(
        DbTransaction transaction,
        IReadOnlyList<NotificationTarget> targets,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var names = targets.Select((_, i) => $"@target{i}").ToList();
        var due = targets.Count == 0
            ? string.Empty
            : $"OR EXISTS (SELECT 1 FROM notification_deliveries WHERE target IN ({string.Join(", ", names)}) "
                + $"AND {Open} AND next_at <= @now AND (claimed_at IS NULL OR claimed_at < @stale))";
        await using var query = Command(
            transaction,
            $"SELECT CASE WHEN EXISTS (SELECT 1 FROM batches WHERE {Untaken}) {due} THEN 1 ELSE 0 END",
            [
                ("@now", _dialect.Time(now)),
                ("@stale", _dialect.Time(now - StaleClaim)),
                .. targets.Select((target, i) => (names[i], (object)target.Key)),
            ]);
        var anything = await query.ExecuteScalarAsync(cancellationToken);
        return Convert.ToInt32(anything, CultureInfo.InvariantCulture) == 1;
    }

    // Takes up the oldest batches not taken up yet: one delivery each per target, due now. With no
    // target the notification is done as it is taken up. Returns their keys.
    private async Task<IReadOnlyList<long>> TakeUpAsync(
        DbTransaction transaction,
        IReadOnlyCollection<NotificationTarget> targets,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var keys = new List<long>();
        await using (var take = Command(
            transaction,
            $"""
            UPDATE batches SET deliveries_at = @now{(targets.Count == 0 ? ", notified_at = @now" : string.Empty)}
            WHERE id IN (SELECT id FROM batches WHERE {Untaken} ORDER BY id LIMIT @limit)
            RETURNING id
            """,
            ("@now", _dialect.Time(now)),
            ("@limit", TakeUpLimit)))
        await using (var reader = await take.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                keys.Add(reader.GetInt64(0));
            }
        }

        if (keys.Count > 0 && targets.Count > 0)
        {
            var rows = new List<string>();
            var parameters = new List<(string Name, object Value)> { ("@now", _dialect.Time(now)) };
            var i = 0;
            foreach (var key in keys)
            {
                foreach (var target in targets)
                {
                    rows.Add($"(@key{i}, @target{i}, @name{i}, 0, @now)");
                    parameters.AddRange(
                        [($"@key{i}", key), ($"@target{i}", target.Key), ($"@name{i}", target.Name)]);
                    i++;
                }
            }

            await NonQueryAsync(
                transaction,
                $"""
                INSERT INTO notification_deliveries (batch_key, target, target_name, attempts, next_at)
                VALUES {string.Join(",\n", rows)}
                ON CONFLICT DO NOTHING
                """,
                cancellationToken,
                [.. parameters]);
        }

        keys.Sort();
        return keys;
    }

    // The completion document of the batch key, read once per look however many targets it goes to.
    private async Task<BatchCompletion> CompletionAsync(
        DbTransaction transaction,
        long key,
        Dictionary<long, BatchCompletion> read,
        CancellationToken cancellationToken)
    {
        if (!read.TryGetValue(key, out var completion))
        {
            completion = BatchCompletion.From(
                await ReadBatchAsync(transaction, key, cancellationToken),
                await FailedTestsAsync(transaction, key, cancellationToken));
            read[key] = completion;
        }

        return completion;
    }

    private async Task<IReadOnlyList<DeliveryStatus>> ReadDeliveriesAsync(
        DbTransaction transaction,
        string where,
        CancellationToken cancellationToken,
        params (string Name, object Value)[] parameters)
    {
        var deliveries = new List<DeliveryStatus>();
        await using var query = Command(
            transaction,
            $"SELECT {DeliveryColumns} FROM notification_deliveries d JOIN batches b ON b.id = d.batch_key "
            + $"WHERE {where}",
            parameters);
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            DateTimeOffset? delivered = reader.IsDBNull(5) ? null : _dialect.ReadTime(reader, 5);
            DateTimeOffset? givenUp = reader.IsDBNull(6) ? null : _dialect.ReadTime(reader, 6);
            var state = delivered is not null ? DeliveryState.Delivered
                : givenUp is not null ? DeliveryState.GivenUp
                : DeliveryState.Pending;
            deliveries.Add(new DeliveryStatus(
                reader.GetString(0),
                Int(reader, 1),
                reader.GetString(2),
                state,
                Int(reader, 3),
                state == DeliveryState.Pending ? _dialect.ReadTime(reader, 4) : null,
                delivered,
                givenUp,
                reader.IsDBNull(7) ? null : reader.GetString(7)));
        }

        return deliveries;
    }

    private static string? Cut(string? error) =>
        StoredText.CleanOrNull(error is null || error.Length <= MaxErrorLength
            ? error
            : string.Concat(error.AsSpan(0, MaxErrorLength - 1), "…"));
}
