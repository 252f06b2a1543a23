using System.Data.Common;
using System.Globalization;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Store;
using static BatchBuild.Store.SqlCommands;

namespace BatchBuild.Store;

// Reading batches, their results and their timeline page by page, for the batch server's pages.
public sealed partial class SqlBatchStore
{
    /// <inheritdoc />
    public Task<BatchInfo?> GetBatchAsync(BatchId id, CancellationToken cancellationToken = default) =>
        ReadAsync(transaction => LatestAsync(transaction, id, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<BatchPage> ListBatchesAsync(
        BatchListQuery query, CancellationToken cancellationToken = default) =>
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
                    ("@name", query.Name is { Length: > 0 } name
                        ? $"%{EscapeLike(name.ToLowerInvariant())}%"
                        : string.Empty),
                    ("@from", _dialect.Time(query.StartedFrom ?? DateTimeOffset.UnixEpoch)),
                    ("@before", _dialect.Time(query.StartedBefore ?? DateTimeOffset.MaxValue.AddYears(-1))),
                ];
                await using var count = Command(
                    transaction, $"SELECT COUNT(*) FROM batches WHERE {filter}", parameters);
                var total = Convert.ToInt32(
                    await count.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
                var rows = await ReadRowsAsync(
                    transaction,
                    $"{filter} ORDER BY started_at DESC, id DESC LIMIT @limit OFFSET @offset",
                    cancellationToken,
                    [
                        .. parameters,
                        ("@limit", query.PageSize),
                        ("@offset", (long)(query.Page - 1) * query.PageSize),
                    ]);
                return new BatchPage([.. rows.Select(row => row.Batch)], total, query.Page, query.PageSize);
            },
            cancellationToken);

    /// <inheritdoc />
    public Task<BatchInfo?> GetBatchAsync(BatchId id, int sequence, CancellationToken cancellationToken = default) =>
        ReadAsync(
            async transaction => (await ReadRowsAsync(
                    transaction,
                    "batch_id = @id AND sequence = @sequence",
                    cancellationToken,
                    ("@id", id.Value),
                    ("@sequence", sequence)))
                .Select(row => row.Batch)
                .SingleOrDefault(),
            cancellationToken);

    // A page asked of a paged read: from 1, of 1 to the read's largest size.
    private static void CheckPage(int page, int pageSize, int maxPageSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(page, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, maxPageSize);
    }

    // The row key of one batch of an ID, or null when there is no such batch.
    private static async Task<long?> BatchKeyAsync(
        DbTransaction transaction, BatchId id, int sequence, CancellationToken cancellationToken)
    {
        await using var find = Command(
            transaction,
            "SELECT id FROM batches WHERE batch_id = @id AND sequence = @sequence",
            ("@id", id.Value),
            ("@sequence", sequence));
        return await find.ExecuteScalarAsync(cancellationToken) is { } found and not DBNull
            ? Convert.ToInt64(found, CultureInfo.InvariantCulture)
            : null;
    }

    /// <inheritdoc />
    public Task<BatchResultsPage> GetResultsAsync(
        BatchId id, int sequence, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        CheckPage(page, pageSize, BatchResultsPage.MaxPageSize);
        return ReadAsync(
            async transaction =>
            {
                if (await BatchKeyAsync(transaction, id, sequence, cancellationToken) is not { } key)
                {
                    return new BatchResultsPage([], 0, page, pageSize);
                }

                await using var count = Command(
                    transaction, "SELECT COUNT(*) FROM test_results WHERE batch_key = @key", ("@key", key));
                var total = Convert.ToInt32(
                    await count.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);

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
                return new BatchResultsPage(results, total, page, pageSize);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<TestBatchTimeline> GetTimelineAsync(
        BatchId id, int sequence, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        CheckPage(page, pageSize, TestBatchTimeline.MaxPageSize);
        return ReadAsync(
            async transaction =>
            {
                if (await BatchKeyAsync(transaction, id, sequence, cancellationToken) is not { } key)
                {
                    return new TestBatchTimeline([], 0, page, pageSize);
                }

                await using var count = Command(
                    transaction,
                    "SELECT COUNT(*) FROM (SELECT 1 AS run FROM test_results WHERE batch_key = @key "
                    + "GROUP BY agent, assembly, test_batch, attempt) AS runs",
                    ("@key", key));
                var total = Convert.ToInt32(
                    await count.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
                var spans = await SpansAsync(transaction, key, page, pageSize, cancellationToken);
                return new TestBatchTimeline(spans, total, page, pageSize);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<TestResultRecord>> GetTestRunsAsync(
        TestKey test, int limit, CancellationToken cancellationToken = default) =>
        ReadAsync(
            async transaction => (IReadOnlyList<TestResultRecord>)[.. (await ReadResultsAsync(
                transaction,
                $"SELECT {ResultColumns} FROM test_results WHERE assembly_digest = @assembly AND name_digest = @name "
                + "ORDER BY finished_at DESC, id DESC LIMIT @limit",
                cancellationToken,
                ("@assembly", TextDigest.Of(test.Assembly)),
                ("@name", TextDigest.Of(test.FullyQualifiedName)),
                ("@limit", limit))).Reverse()],
            cancellationToken);

    // A stored duration as every read sees it: within [0, TestResultRecord.MaxDurationMillis],
    // in SQL, for sums (an older version may have stored infinite, huge or negative durations).
    private static readonly string ClampedDuration = string.Create(
        CultureInfo.InvariantCulture,
        $"""
        CASE WHEN duration_ms > {TestResultRecord.MaxDurationMillis} THEN {TestResultRecord.MaxDurationMillis}
            WHEN duration_ms >= 0 THEN duration_ms ELSE 0 END
        """);

    // One page of the runs of the batch's test batches, summed by the database: a timeline needs
    // no result. Pages are cut in the order of columns the database has, so that every run is on
    // exactly one page.
    private async Task<IReadOnlyList<TestBatchSpan>> SpansAsync(
        DbTransaction transaction, long key, int page, int pageSize, CancellationToken cancellationToken)
    {
        var spans = new List<TestBatchSpan>();
        await using var query = Command(
            transaction,
            $"""
            SELECT agent, assembly, test_batch, MAX(finished_at), SUM({ClampedDuration}), COUNT(*),
                   SUM(CASE WHEN outcome = 'Failed' THEN 1 ELSE 0 END)
            FROM test_results WHERE batch_key = @key
            GROUP BY agent, assembly, test_batch, attempt
            ORDER BY MAX(finished_at), agent, assembly, test_batch, attempt
            LIMIT @limit OFFSET @offset
            """,
            ("@key", key),
            ("@limit", pageSize),
            ("@offset", (long)(page - 1) * pageSize));
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

        return spans;
    }

    private async Task<IReadOnlyList<TestResultRecord>> ReadResultsAsync(
        DbTransaction transaction,
        string sql,
        CancellationToken cancellationToken,
        params (string Name, object Value)[] parameters)
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

    private static string EscapeLike(string text) =>
        text.Replace(@"\", @"\\", StringComparison.Ordinal)
            .Replace("%", @"\%", StringComparison.Ordinal)
            .Replace("_", @"\_", StringComparison.Ordinal);
}
