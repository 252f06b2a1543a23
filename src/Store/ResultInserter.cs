using System.Data.Common;
using BatchBuild.Core.Batches;

namespace BatchBuild.Store;

/// <summary>
/// How a <see cref="SqlBatchStore"/> inserts the results of a report within its writing
/// transaction, which holds the write lock. A result whose test and attempt its batch already
/// holds was sent before and is skipped, as is the later of two such results in one report. A
/// batch's counts move by what its kept results change, so that reading them never scans its
/// results and they always equal the counts recomputed from them: a test counts by its latest
/// result (the one kept last), is retried from its second result and flaky while its latest
/// passed after a failure; a test batch run and an agent count when first seen; every kept
/// result's duration adds to the test time. Every batch of the report gets the time of the write
/// as its last activity.
/// </summary>
public abstract class ResultInserter
{
    /// <summary>
    /// Inserts the results of <paramref name="batches"/>, each into the active batch its key
    /// names and in their order, moves the batches' counts and last activity (to
    /// <paramref name="now"/>), and returns the batches as they then are, in the order of
    /// <paramref name="batches"/>: the statement that moves the counts returns
    /// <paramref name="row"/>'s columns, so that no read follows it.
    /// </summary>
    public abstract Task<IReadOnlyList<BatchInfo>> InsertAsync(
        DbTransaction transaction,
        IReadOnlyList<BatchResults> batches,
        DateTimeOffset now,
        BatchRow row,
        CancellationToken cancellationToken);
}
