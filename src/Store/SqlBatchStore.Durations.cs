using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Store;
using static BatchBuild.Store.SqlCommands;

namespace BatchBuild.Store;

// The recorded durations of tests, which plans are made from.
public sealed partial class SqlBatchStore
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<TestDuration>> GetDurationsAsync(
        DurationQuery query, CancellationToken cancellationToken = default)
    {
        var wanted = query.Tests.ToHashSet();
        var history = await GetHistoryAsync(
            [.. wanted.Select(test => test.Assembly).Distinct(StringComparer.Ordinal)],
            query.Since,
            query.RunsPerTest,
            cancellationToken,
            query.ExcludeBatchId);

        // The query kept only runs in the window already.
        return DurationEstimator.Percentiles(
            history.Where(record => wanted.Contains(record.Test)), query.Percentile, since: null);
    }

    /// <summary>
    /// The recorded passed and failed runs of the tests of <paramref name="assemblies"/> (assembly
    /// names) that ended at or after <paramref name="since"/> (all when null), the newest
    /// <paramref name="runsPerTest"/> per test, leaving out those of <paramref name="excludeBatchId"/>.
    /// One query for all the assemblies, which the index on the assembly's and the test's digests
    /// answers: the time it takes follows the runs it finds, not the number of assemblies.
    /// </summary>
    public Task<IReadOnlyList<DurationRecord>> GetHistoryAsync(
        IReadOnlyCollection<string> assemblies,
        DateTimeOffset? since,
        int runsPerTest,
        CancellationToken cancellationToken = default,
        string? excludeBatchId = null) =>
        ReadAsync(
            async transaction =>
            {
                var history = new List<DurationRecord>();
                var digests = assemblies.Distinct(StringComparer.Ordinal).Select(TextDigest.Of).ToList();
                if (digests.Count == 0)
                {
                    return (IReadOnlyList<DurationRecord>)history;
                }

                await using var query = Command(
                    transaction,
                    $"""
                    SELECT assembly, full_name, duration_ms, outcome, finished_at FROM (
                        SELECT assembly, full_name, duration_ms, outcome, finished_at,
                               ROW_NUMBER() OVER (PARTITION BY assembly_digest, name_digest
                                                  ORDER BY finished_at DESC, id DESC) AS recency
                        FROM test_results
                        WHERE {_dialect.IsOneOf("assembly_digest", "@assemblies")}
                          AND finished_at >= @since AND outcome IN ('Passed', 'Failed')
                          AND batch_id <> @exclude) AS runs
                    WHERE recency <= @runs
                    """,
                    ("@assemblies", _dialect.DigestList(digests)),
                    ("@since", _dialect.Time(since ?? DateTimeOffset.UnixEpoch)),
                    ("@runs", runsPerTest),
                    ("@exclude", excludeBatchId ?? string.Empty));
                await using var reader = await query.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    history.Add(new DurationRecord(
                        new TestKey(reader.GetString(0), reader.GetString(1)),
                        TestResultRecord.ClampDuration(reader.GetDouble(2)),
                        Enum.Parse<TestRunOutcome>(reader.GetString(3)),
                        _dialect.ReadTime(reader, 4)));
                }

                return (IReadOnlyList<DurationRecord>)history;
            },
            cancellationToken);
}
