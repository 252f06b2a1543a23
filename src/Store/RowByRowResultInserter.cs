using System.Data.Common;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Store;
using static BatchBuild.Store.SqlCommands;

namespace BatchBuild.Store;

/// <summary>
/// Inserts results one statement at a time and works out what each kept one changes from the
/// results before it: in SQL that SQLite and PostgreSQL both accept, and fast where the database
/// runs in process, because a statement there costs no round trip.
/// </summary>
internal sealed partial class RowByRowResultInserter(SqlDialect dialect) : ResultInserter
{
    /// <inheritdoc />
    public override async Task<IReadOnlyList<BatchInfo>> InsertAsync(
        DbTransaction transaction,
        IReadOnlyList<BatchResults> batches,
        DateTimeOffset now,
        BatchRow row,
        CancellationToken cancellationToken)
    {
        var inserted = new List<BatchInfo>(batches.Count);
        foreach (var batch in batches)
        {
            inserted.Add(await InsertAsync(transaction, batch.Key, batch.Results, now, row, cancellationToken));
        }

        return inserted;
    }

    private async Task<BatchInfo> InsertAsync(
        DbTransaction transaction,
        long batchKey,
        IReadOnlyList<TestResultRecord> results,
        DateTimeOffset now,
        BatchRow row,
        CancellationToken cancellationToken)
    {
        await using var statements = new Statements(transaction, batchKey, dialect);
        var delta = new CountDelta();
        var runs = new HashSet<(string, string, string, int)>();
        var agents = new HashSet<string>(StringComparer.Ordinal);
        foreach (var result in results)
        {
            if (await statements.InsertAsync(result, cancellationToken) is not { } id)
            {
                continue;
            }

            await CountTestAsync(statements, result, id, delta, cancellationToken);
            delta.TestMillis += result.DurationMillis;

            // A run or an agent is new when the only result that has it is the one just kept.
            if (runs.Add((result.Attempt, result.Agent, result.Test.Assembly, result.TestBatch)))
            {
                delta.TestBatches += await statements.IsFirstOfRunAsync(result, cancellationToken) ? 1 : 0;
            }

            if (agents.Add(result.Agent))
            {
                delta.Agents += await statements.IsFirstOfAgentAsync(result, cancellationToken) ? 1 : 0;
            }
        }

        return await AddAsync(transaction, batchKey, delta, now, row, cancellationToken);
    }

    // The test's latest result before the one just kept stops counting and the new one counts. A
    // test is retried from its second result, and flaky while its latest passed after a failure.
    private static async Task CountTestAsync(
        Statements statements, TestResultRecord result, long id, CountDelta delta, CancellationToken cancellationToken)
    {
        var (replaced, earlier, failures) = await statements.BeforeAsync(result, id, cancellationToken);
        if (replaced is not null)
        {
            delta.Count(replaced, -1);
        }

        delta.Count(result.Outcome.ToString(), +1);
        delta.Retried += earlier == 1 ? 1 : 0;
        delta.Flaky += (result.Outcome == TestRunOutcome.Passed && failures > 0 ? 1 : 0)
            - (replaced == "Passed" && failures > 0 ? 1 : 0);
    }

    private async Task<BatchInfo> AddAsync(
        DbTransaction transaction,
        long batchKey,
        CountDelta delta,
        DateTimeOffset now,
        BatchRow row,
        CancellationToken cancellationToken)
    {
        await using var update = Command(
            transaction,
            $"""
            UPDATE batches SET last_activity_at = @now,
                passed = passed + @passed, failed = failed + @failed, skipped = skipped + @skipped,
                test_batches = test_batches + @testBatches, agents = agents + @agents, test_ms = test_ms + @testMillis,
                flaky = flaky + @flaky, retried = retried + @retried
            WHERE id = @key
            RETURNING {row.Columns}
            """,
            ("@now", dialect.Time(now)),
            ("@passed", delta.Passed),
            ("@failed", delta.Failed),
            ("@skipped", delta.Skipped),
            ("@testBatches", delta.TestBatches), ("@agents", delta.Agents), ("@testMillis", delta.TestMillis),
            ("@flaky", delta.Flaky), ("@retried", delta.Retried), ("@key", batchKey));
        await using var reader = await update.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return row.Read(reader).Batch;
    }

    // What one call's kept results add to the batch's counts.
    private sealed class CountDelta
    {
        public int Passed { get; private set; }

        public int Failed { get; private set; }

        public int Skipped { get; private set; }

        public int TestBatches { get; set; }

        public int Agents { get; set; }

        public double TestMillis { get; set; }

        public int Flaky { get; set; }

        public int Retried { get; set; }

        public void Count(string outcome, int by)
        {
            switch (outcome)
            {
                case "Passed":
                    Passed += by;
                    break;
                case "Failed":
                    Failed += by;
                    break;
                default:
                    Skipped += by;
                    break;
            }
        }
    }
}
