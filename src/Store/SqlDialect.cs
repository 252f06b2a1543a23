using System.Data.Common;
using System.Globalization;

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

    /// <summary>
    /// The counts schema version 5 added: they are filled from the results of every batch, closed
    /// ones too.
    /// </summary>
    protected static readonly string Version5Counts = $"""
        ALTER TABLE batches ADD COLUMN flaky INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE batches ADD COLUMN retried INTEGER NOT NULL DEFAULT 0;
        UPDATE batches SET {SqlBatchStore.RecountAssignments("flaky", "retried")};
        """;

    /// <summary>
    /// Schema version 8: the attempt of the CI job that started a batch or, for a re-run, last
    /// joined it, and whether a re-run re-opened it (its completion is then sent again, so marked).
    /// </summary>
    protected const string Version8Reruns = """
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
        CREATE INDEX ix_batches_unnotified ON batches (id)
            WHERE state = 'Closed' AND notify = 1 AND notified_at IS NULL;
        """;

    /// <summary>
    /// Schema version 6: the notification outbox per batch and target. A closed batch that
    /// notifies is taken up once (<c>deliveries_at</c>) with one delivery per webhook, each tried,
    /// backed off and given up on its own; the batch is notified when every delivery is done.
    /// Batches that waited for their notification before the upgrade are taken up by the first
    /// look after it. <paramref name="key"/> and <paramref name="time"/> are the database's types of
    /// a generated key and of a time.
    /// </summary>
    protected static string Version6Deliveries(string key, string time) => $"""
        CREATE TABLE notification_deliveries (
            id {key},
            batch_key BIGINT NOT NULL REFERENCES batches (id),
            target TEXT NOT NULL,
            target_name TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            next_at {time} NOT NULL,
            claimed_at {time},
            delivered_at {time},
            given_up_at {time},
            last_error TEXT,
            UNIQUE (batch_key, target));
        CREATE INDEX ix_deliveries_open ON notification_deliveries (target, next_at)
            WHERE delivered_at IS NULL AND given_up_at IS NULL;
        CREATE INDEX ix_deliveries_given_up ON notification_deliveries (id) WHERE given_up_at IS NOT NULL;
        ALTER TABLE batches ADD COLUMN deliveries_at {time};
        CREATE INDEX ix_batches_untaken ON batches (id)
            WHERE state = 'Closed' AND notify = 1 AND notified_at IS NULL AND deliveries_at IS NULL;
        """;

    /// <summary>
    /// The secrets a batch server keeps (<see cref="SqlBatchStore.SecretAsync"/>), by name. The
    /// table only ever gets added, so it is made where it is missing, at any schema version,
    /// rather than by a numbered step.
    /// </summary>
    protected const string Secrets =
        "CREATE TABLE IF NOT EXISTS server_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL);";

    /// <summary>
    /// What test batches and listings cost beside their tests (<see cref="SqlBatchStore.RecordStartCostsAsync"/>),
    /// with the index that answers "the newest runs of each assembly and kind". Like
    /// <see cref="Secrets"/>, the table only ever gets added, so it is made where it is missing, at
    /// any schema version: a store that gains it stays at its version, and a BatchBuild or server
    /// instance one version older still opens it. <paramref name="key"/>, <paramref name="time"/>,
    /// <paramref name="real"/> and <paramref name="digest"/> are the database's types of a generated
    /// key, a time, a floating-point number and a digest (see <see cref="TextDigest"/>).
    /// </summary>
    protected static string StartCosts(string key, string time, string real, string digest) => $"""
        CREATE TABLE IF NOT EXISTS start_costs (
            id {key},
            assembly TEXT NOT NULL,
            assembly_digest {digest} NOT NULL,
            kind TEXT NOT NULL,
            start_ms {real} NOT NULL,
            wall_ms {real} NOT NULL,
            test_ms {real} NOT NULL,
            tests INTEGER NOT NULL,
            batch_id TEXT NOT NULL,
            finished_at {time} NOT NULL,
            list_digest TEXT NOT NULL DEFAULT '');
        CREATE INDEX IF NOT EXISTS ix_start_costs_recent ON start_costs (assembly_digest, kind, finished_at);
        """;

    /// <summary>
    /// Adds the digest of a listing's tests (empty when not known) to a <c>start_costs</c> table
    /// made before it had one, when <paramref name="columnsNamedSo"/>, a query, counts no column
    /// <c>list_digest</c> there; like the table, the column is only ever added.
    /// </summary>
    protected static async Task AddListDigestAsync(
        DbTransaction transaction, string columnsNamedSo, CancellationToken cancellationToken)
    {
        await using var count = transaction.Connection!.CreateCommand();
        count.Transaction = transaction;
        count.CommandText = columnsNamedSo;
        if (Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) == 0)
        {
            await ExecuteAsync(
                transaction,
                "ALTER TABLE start_costs ADD COLUMN list_digest TEXT NOT NULL DEFAULT ''",
                cancellationToken);
        }
    }

    /// <summary>
    /// A condition that holds where <paramref name="column"/>, a column of digests (see
    /// <see cref="TextDigest"/>), is one of the digests the parameter <paramref name="parameter"/>
    /// lists, whose value <see cref="DigestList"/> made: one statement for any number of them.
    /// </summary>
    public abstract string IsOneOf(string column, string parameter);

    /// <summary>The value of a parameter that lists <paramref name="digests"/>, for <see cref="IsOneOf"/>.</summary>
    public abstract object DigestList(IReadOnlyCollection<byte[]> digests);

    /// <summary>
    /// Schema version 7: the test results' indexes key on digests of their long texts instead of
    /// the texts (see <see cref="TextDigest"/>), with the same columns in the same order, so that a
    /// result with the longest names the API accepts fits every index entry, and uniqueness and
    /// lookups are what they were. The indexes are dropped before the digests of the existing rows
    /// are filled in, so that the update does not write every old index entry once more.
    /// </summary>
    /// <param name="type">The type of a digest column.</param>
    /// <param name="digest">The SQL of the digest of a text column.</param>
    /// <param name="filled">SQL run once the existing rows' digests are filled in.</param>
    protected static string Version7Digests(string type, Func<string, string> digest, string filled = "") => $"""
        ALTER TABLE test_results ADD COLUMN assembly_digest {type};
        ALTER TABLE test_results ADD COLUMN name_digest {type};
        ALTER TABLE test_results ADD COLUMN agent_digest {type};
        ALTER TABLE test_results ADD COLUMN attempt_digest {type};
        DROP INDEX IF EXISTS ux_test_results_attempt;
        DROP INDEX IF EXISTS ix_test_results_test;
        DROP INDEX IF EXISTS ix_test_results_run;
        DROP INDEX IF EXISTS ix_test_results_agent;
        UPDATE test_results SET assembly_digest = {digest("assembly")}, name_digest = {digest("full_name")},
            agent_digest = {digest("agent")}, attempt_digest = {digest("attempt")};
        {filled}
        CREATE UNIQUE INDEX ux_test_results_attempt
            ON test_results (batch_key, assembly_digest, name_digest, attempt_digest);
        CREATE INDEX ix_test_results_test ON test_results (assembly_digest, name_digest, finished_at);
        CREATE INDEX ix_test_results_run
            ON test_results (batch_key, attempt_digest, agent_digest, assembly_digest, test_batch);
        CREATE INDEX ix_test_results_agent ON test_results (batch_key, agent_digest);
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
