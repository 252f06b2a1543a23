using BatchBuild.Core.Api;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Store;
using static BatchBuild.Store.SqlCommands;

namespace BatchBuild.Store;

// What test batches and listings cost beside their tests, which plans count once per test batch.
public sealed partial class SqlBatchStore
{
    /// <summary>
    /// The records kept per assembly and kind: older ones are removed as newer ones are recorded, so
    /// that the table grows with the number of assemblies, not with the number of runs. As many as
    /// the server lets a query ask for, and more than a query reads by default
    /// (<see cref="StartCostQuery.DefaultRunsPerAssembly"/>).
    /// </summary>
    public const int StartCostsKept = StartCostsQueryRequest.MaxRunsPerAssembly;

    // Rows per INSERT statement: ten parameters each stay well under SQLite's and PostgreSQL's
    // limits on the parameters of one statement.
    private const int StartCostRowsPerStatement = 500;

    /// <inheritdoc />
    public async Task RecordStartCostsAsync(
        IReadOnlyCollection<StartCostRecord> costs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(costs);
        if (costs.FirstOrDefault(cost => !Enum.IsDefined(cost.Kind)) is { } unknown)
        {
            throw new ArgumentException($"A start cost of an unknown kind ({unknown.Kind}).", nameof(costs));
        }

        // Cleaned and clamped before the write lock is taken: other writers wait for as little as possible.
        var rows = costs.Select(Stored).ToList();
        if (rows.Count == 0)
        {
            return;
        }

        var assemblies = rows
            .Select(row => row.Assembly)
            .Distinct(StringComparer.Ordinal)
            .Select(TextDigest.Of)
            .ToList();
        await WriteAsync(async transaction =>
        {
            foreach (var chunk in rows.Chunk(StartCostRowsPerStatement))
            {
                var values = chunk.Select((_, i) =>
                    $"(@a{i}, @d{i}, @k{i}, @s{i}, @w{i}, @t{i}, @n{i}, @b{i}, @f{i}, @l{i})");
                await NonQueryAsync(
                    transaction,
                    "INSERT INTO start_costs (assembly, assembly_digest, kind, start_ms, wall_ms, test_ms, tests, "
                    + $"batch_id, finished_at, list_digest) VALUES {string.Join(", ", values)}",
                    cancellationToken,
                    [.. chunk.SelectMany((row, i) => Parameters(row, i))]);
            }

            // Only the assemblies just recorded can have passed the limit.
            await NonQueryAsync(
                transaction,
                $"""
                DELETE FROM start_costs WHERE id IN (
                    SELECT id FROM (
                        SELECT id, ROW_NUMBER() OVER (PARTITION BY assembly_digest, kind
                                                      ORDER BY finished_at DESC, id DESC) AS recency
                        FROM start_costs WHERE {_dialect.IsOneOf("assembly_digest", "@assemblies")}) AS ranked
                    WHERE recency > @kept)
                """,
                cancellationToken,
                ("@assemblies", _dialect.DigestList(assemblies)),
                ("@kept", StartCostsKept));
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>
    /// One query for all the assemblies, which the index on the assembly's digest, the kind and the
    /// finish answers: the time it takes follows the records it finds, not the number of assemblies.
    /// </remarks>
    public Task<IReadOnlyList<StartCostRecord>> GetStartCostsAsync(
        StartCostQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var digests = query.Assemblies
            .Select(StoredText.Clean)
            .Distinct(StringComparer.Ordinal)
            .Select(TextDigest.Of)
            .ToList();
        return ReadAsync(
            async transaction =>
            {
                var costs = new List<StartCostRecord>();
                if (digests.Count == 0 || query.RunsPerAssembly < 1)
                {
                    return (IReadOnlyList<StartCostRecord>)costs;
                }

                await using var read = Command(
                    transaction,
                    $"""
                    SELECT assembly, kind, start_ms, wall_ms, test_ms, tests, batch_id, finished_at, list_digest FROM (
                        SELECT id, assembly, kind, start_ms, wall_ms, test_ms, tests, batch_id, finished_at,
                               list_digest,
                               ROW_NUMBER() OVER (PARTITION BY assembly_digest, kind
                                                  ORDER BY finished_at DESC, id DESC) AS recency
                        FROM start_costs
                        WHERE {_dialect.IsOneOf("assembly_digest", "@assemblies")}
                          AND finished_at >= @since AND batch_id <> @exclude) AS recent
                    WHERE recency <= @runs
                    ORDER BY finished_at DESC, id DESC
                    """,
                    ("@assemblies", _dialect.DigestList(digests)),
                    ("@since", _dialect.Time(query.Since ?? DateTimeOffset.UnixEpoch)),
                    ("@runs", query.RunsPerAssembly),
                    ("@exclude", query.ExcludeBatchId ?? string.Empty));
                await using var reader = await read.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    // A kind a newer BatchBuild recorded means nothing to this one's planner.
                    if (!Enum.TryParse<StartCostKind>(reader.GetString(1), out var kind) || !Enum.IsDefined(kind))
                    {
                        continue;
                    }

                    costs.Add(new StartCostRecord(
                        reader.GetString(0),
                        kind,
                        TestResultRecord.ClampDuration(reader.GetDouble(2)),
                        TestResultRecord.ClampDuration(reader.GetDouble(3)),
                        TestResultRecord.ClampDuration(reader.GetDouble(4)),
                        Math.Max(0, Int(reader, 5)),
                        reader.GetString(6),
                        _dialect.ReadTime(reader, 7),
                        TestListDigest.IsDigest(reader.GetString(8)) ? reader.GetString(8) : null));
                }

                return (IReadOnlyList<StartCostRecord>)costs;
            },
            cancellationToken);
    }

    // A record as the store keeps it: its text cleaned like a result's (see StoredText), and its
    // numbers measurements that clocks can get slightly wrong, so clamped to what a duration may be
    // rather than refused: a start a millisecond below zero is no reason to lose a run's records.
    private static StartCostRecord Stored(StartCostRecord cost) => cost with
    {
        Assembly = StoredText.Clean(cost.Assembly),
        StartMillis = TestResultRecord.ClampDuration(cost.StartMillis),
        WallMillis = TestResultRecord.ClampDuration(cost.WallMillis),
        TestMillis = TestResultRecord.ClampDuration(cost.TestMillis),
        Tests = Math.Max(0, cost.Tests),
        BatchId = StoredText.Clean(cost.BatchId),
        ListDigest = TestListDigest.IsDigest(cost.ListDigest) ? cost.ListDigest : null,
    };

    private (string Name, object Value)[] Parameters(StartCostRecord row, int i) =>
    [
        ($"@a{i}", row.Assembly),
        ($"@d{i}", TextDigest.Of(row.Assembly)),
        ($"@k{i}", row.Kind.ToString()),
        ($"@s{i}", row.StartMillis),
        ($"@w{i}", row.WallMillis),
        ($"@t{i}", row.TestMillis),
        ($"@n{i}", row.Tests),
        ($"@b{i}", row.BatchId),
        ($"@f{i}", _dialect.Time(row.FinishedAt)),
        ($"@l{i}", row.ListDigest ?? string.Empty),
    ];
}
