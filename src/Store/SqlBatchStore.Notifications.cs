using System.Collections.Immutable;
using System.Data.Common;
using System.Globalization;
using BatchBuild.Core.Batches;
using static BatchBuild.Store.SqlCommands;

namespace BatchBuild.Store;

// Claiming closed batches for notification and completing the claims.
public sealed partial class SqlBatchStore
{
    // A claim on a notification that was neither delivered nor released within this time is
    // taken to belong to a process that died, and may be claimed again. A property, not a field:
    // MaxDeliveryTime, in another part of this class, is made from it, and the fields of a partial
    // class's parts are set in no order a part can count on.
    private static TimeSpan StaleClaim => TimeSpan.FromMinutes(10);

    // The closed batches whose notification is due at @now and not claimed since @stale; a batch
    // the server's outbox took up is delivered per webhook there (SqlBatchStore.Deliveries.cs).
    private const string Claimable = """
        state = 'Closed' AND notify = 1 AND notified_at IS NULL AND (claimed_at IS NULL OR claimed_at < @stale)
          AND (notify_after IS NULL OR notify_after <= @now) AND deliveries_at IS NULL
        """;

    /// <inheritdoc />
    public async Task<IReadOnlyList<BatchCompletion>> ClaimNotificationsAsync(
        CancellationToken cancellationToken = default)
    {
        var now = Now;

        // The server's outbox asks after every write and mostly finds nothing: a look without the
        // write lock says so without making writers wait. It sees one consistent state, in which
        // the write below would have found nothing to close or claim either.
        if (!await ReadAsync(
            transaction => AnythingToCloseOrClaimAsync(transaction, now, cancellationToken), cancellationToken))
        {
            return [];
        }

        return await WriteAsync(async transaction =>
        {
            await CloseExpiredAsync(transaction, now, cancellationToken);
            var keys = new List<long>();
            await using (var claim = Command(transaction, $"""
                UPDATE batches SET claimed_at = @now
                WHERE {Claimable}
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
                completions.Add(BatchCompletion.From(
                    await ReadBatchAsync(transaction, key, cancellationToken),
                    await FailedTestsAsync(transaction, key, cancellationToken)));
            }

            return (IReadOnlyList<BatchCompletion>)completions;
        }, cancellationToken);
    }

    // Whether an active batch has expired at now or a closed batch's notification may be claimed:
    // each part is answered by one of the partial indexes of schema version 4.
    private async Task<bool> AnythingToCloseOrClaimAsync(
        DbTransaction transaction, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var query = Command(
            transaction,
            $"""
            SELECT CASE WHEN EXISTS (SELECT 1 FROM batches WHERE state = 'Active' AND started_at < @ageCutoff)
                          OR EXISTS (SELECT 1 FROM batches WHERE state = 'Active' AND last_activity_at < @idleCutoff)
                          OR EXISTS (SELECT 1 FROM batches WHERE {Claimable}) THEN 1 ELSE 0 END
            """,
            [.. ExpiryParameters(now), ("@stale", _dialect.Time(now - StaleClaim))]);
        var anything = await query.ExecuteScalarAsync(cancellationToken);
        return Convert.ToInt32(anything, CultureInfo.InvariantCulture) == 1;
    }

    /// <inheritdoc />
    public Task CompleteNotificationAsync(
        BatchCompletion completion, bool delivered, CancellationToken cancellationToken = default) =>
        WriteAsync(
            async transaction =>
            {
                var now = Now;
                (string, object)[] batch =
                [
                    ("@id", completion.BatchId),
                    ("@sequence", completion.Sequence),
                    ("@now", _dialect.Time(now)),
                ];
                if (delivered)
                {
                    // Marked delivered once: a second delivery of the same claim changes nothing.
                    await NonQueryAsync(
                        transaction,
                        "UPDATE batches SET notified_at = @now "
                        + "WHERE batch_id = @id AND sequence = @sequence AND state = 'Closed' AND notified_at IS NULL",
                        cancellationToken,
                        batch);
                    return true;
                }

                await using var failures = Command(
                    transaction,
                    "SELECT notify_attempts FROM batches WHERE batch_id = @id AND sequence = @sequence",
                    batch);
                var failed = Convert.ToInt32(
                    await failures.ExecuteScalarAsync(cancellationToken) ?? 0, CultureInfo.InvariantCulture) + 1;
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

    // At most the notification's number of failed tests, each message cut in the database one
    // character past the notification's length, so that it can tell a cut message: the server
    // never loads a batch's every message.
    private static async Task<ImmutableArray<FailedTest>> FailedTestsAsync(
        DbTransaction transaction, long key, CancellationToken cancellationToken)
    {
        var failed = ImmutableArray.CreateBuilder<FailedTest>();
        await using var query = Command(transaction, """
            SELECT assembly, full_name, message FROM (
                SELECT assembly, full_name, outcome, SUBSTR(error_message, 1, @length) AS message,
                       ROW_NUMBER() OVER (PARTITION BY assembly, full_name ORDER BY id DESC) AS recency
                FROM test_results WHERE batch_key = @key) AS latest
            WHERE recency = 1 AND outcome = 'Failed' ORDER BY assembly, full_name LIMIT @limit
            """,
            ("@key", key),
            ("@length", BatchCompletion.MaxMessageLength + 1),
            ("@limit", BatchCompletion.MaxFailedTests));
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            failed.Add(new FailedTest(
                reader.GetString(0),
                reader.GetString(1),
                reader.IsDBNull(2) ? null : BatchCompletion.Cut(reader.GetString(2))));
        }

        return failed.ToImmutable();
    }
}
