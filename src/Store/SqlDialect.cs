using System.Data.Common;

namespace BatchBuild.Store;

/// <summary>
/// What differs between the databases a <see cref="SqlBatchStore"/> runs on: how a writing
/// transaction serialises with other writers, how times are stored, the schema, and how results
/// are inserted. The store's other queries are written once, in SQL that SQLite and PostgreSQL
/// both accept.
/// </summary>
public abstract class SqlDialect
{
    private ResultInserter? _results;

    /// <summary>Names the database for messages, e.g. "the store '/ci/batchbuild.db'".</summary>
    public abstract string Description { get; }

    /// <summary>
    /// How the store inserts a batch's results: by default one statement per result, which costs
    /// little where the database runs in process. A database reached over the network overrides
    /// it with a set-based insert, because there every statement costs a round trip.
    /// </summary>
    public virtual ResultInserter Results => _results ??= new RowByRowResultInserter(this);

    /// <summary>
    /// Begins a transaction that writes; it holds the store's write lock until it ends, so that
    /// writers from any process or server instance take turns.
    /// </summary>
    public abstract Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>
    /// How many writers of one store may be at the database's write lock at once, one holding it
    /// and the others waiting in the database; the store's other writers wait their turn in
    /// order, holding no connection. One, unless the database queues lock waiters fairly.
    /// </summary>
    public virtual int WritersAtTheLock => 1;

    /// <summary>Begins a transaction that only reads, seeing one consistent state.</summary>
    public abstract Task<DbTransaction> BeginReadAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Prepares a newly opened connection.</summary>
    public virtual Task OnOpenAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>A time as a parameter value.</summary>
    public abstract object Time(DateTimeOffset time);

    /// <summary>A time read from a column written with <see cref="Time"/>.</summary>
    public abstract DateTimeOffset ReadTime(DbDataReader reader, int ordinal);

    /// <summary>Creates the schema or brings it up to date; refuses a schema newer than this code.</summary>
    public abstract Task MigrateAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>The counts schema version 5 added: they are filled from the results of every batch, closed ones too.</summary>
    protected static readonly string Version5Counts = $"""
        ALTER TABLE batches ADD COLUMN flaky INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE batches ADD COLUMN retried INTEGER NOT NULL DEFAULT 0;
        UPDATE batches SET {SqlBatchStore.RecountAssignments("flaky", "retried")};
        """;

    /// <summary>
    /// Schema version 6: the attempt of the CI job that started a batch or, for a re-run, last
    /// joined it, and whether a re-run re-opened it (its completion is then sent again, so marked).
    /// </summary>
    protected const string Version6Reruns = """
        ALTER TABLE batches ADD COLUMN ci_attempt INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE batches ADD COLUMN rerun INTEGER NOT NULL DEFAULT 0;
        """;

    /// <summary>
    /// Schema version 4: the active batches by last activity and by start, which every write
    /// searches for expired batches, and the closed batches whose notification is still due, which
    /// the outbox claims after every write; all partial, so their size follows what they find, not
    /// the whole history of batches.
    /// </summary>
    protected const string Version4Indexes = """
        CREATE INDEX ix_batches_active_idle ON batches (last_activity_at) WHERE state = 'Active';
        CREATE INDEX ix_batches_active_age ON batches (started_at) WHERE state = 'Active';
        CREATE INDEX ix_batches_unnotified ON batches (id) WHERE state = 'Closed' AND notify = 1 AND notified_at IS NULL;
        """;

    /// <summary>Runs <paramref name="sql"/> in <paramref name="transaction"/>, for migrations.</summary>
    protected static async Task ExecuteAsync(DbTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
