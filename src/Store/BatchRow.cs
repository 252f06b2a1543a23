using System.Data.Common;
using BatchBuild.Core.Batches;

namespace BatchBuild.Store;

/// <summary>A batch's row as the store reads it: the columns it needs, and how it reads them.</summary>
public sealed class BatchRow
{
    private readonly Func<DbDataReader, BatchInfo> _read;

    internal BatchRow(string columns, Func<DbDataReader, BatchInfo> read)
    {
        Columns = columns;
        _read = read;
    }

    /// <summary>
    /// The columns of <c>batches</c>, unqualified and starting with its key <c>id</c>, for a select
    /// list or a <c>RETURNING</c> clause.
    /// </summary>
    public string Columns { get; }

    /// <summary>
    /// The key and the batch in the current row of <paramref name="reader"/>, which returned
    /// <see cref="Columns"/>.
    /// </summary>
    public (long Key, BatchInfo Batch) Read(DbDataReader reader) => (reader.GetInt64(0), _read(reader));
}
