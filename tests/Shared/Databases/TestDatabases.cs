using BatchBuild.Store;
using BatchBuild.Store.Postgres;
using Npgsql;

namespace BatchBuild.Tests.Shared;

/// <summary>
/// A store database for one test, on either provider: a SQLite file in a temporary folder, or a
/// database of its own on the PostgreSQL server that <c>BATCHBUILD_TEST_POSTGRES</c> names
/// (<c>./test.sh</c> starts one on 127.0.0.1). Disposing it deletes the file or drops the database.
/// </summary>
public sealed class TestDatabase : IDisposable
{
    /// <summary>The providers a store test runs on.</summary>
    public static readonly string[] Providers = ["sqlite", "postgres"];

    private const string Variable = "BATCHBUILD_TEST_POSTGRES";

    private readonly string? _folder;
    private readonly string? _database;

    private TestDatabase(string provider, string connection, string? folder, string? database)
    {
        Provider = provider;
        Connection = connection;
        _folder = folder;
        _database = database;
    }

    /// <summary><c>sqlite</c> or <c>postgres</c>.</summary>
    public string Provider { get; }

    /// <summary>The SQLite file's path, or the PostgreSQL connection string.</summary>
    public string Connection { get; }

    /// <summary>Creates an empty database on <paramref name="provider"/>.</summary>
    public static TestDatabase Create(string provider)
    {
        if (provider == "sqlite")
        {
            var folder = Directory.CreateTempSubdirectory("batchbuild-db-").FullName;
            return new TestDatabase(provider, Path.Combine(folder, "batchbuild.db"), folder, null);
        }

        var admin = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(admin))
        {
            Assert.Fail($"{Variable} names no PostgreSQL server: run the tests with ./test.sh, which starts one, or "
                + $"set it to a connection string whose user may create databases");
        }

        var name = $"batchbuild_test_{Guid.NewGuid():N}";
        using (var connection = new NpgsqlConnection(admin))
        {
            connection.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            create.ExecuteNonQuery();
        }

        return new TestDatabase(
            provider,
            new NpgsqlConnectionStringBuilder(admin) { Database = name, Pooling = false }.ConnectionString,
            null,
            name);
    }

    /// <summary>Opens the store on this database.</summary>
    public SqlBatchStore Open(BatchStoreOptions? options = null) =>
        Provider == "sqlite"
            ? SqliteBatchStore.Open(Connection, options)
            : PostgresDialect.OpenAsync(Connection, options).GetAwaiter().GetResult();

    /// <summary>
    /// Runs <paramref name="sql"/> on this database outside any store, as an older BatchBuild or
    /// a person would, and returns the first column of its first row.
    /// </summary>
    public object? Execute(string sql)
    {
        using var connection = Provider == "sqlite"
            ? (System.Data.Common.DbConnection)new Microsoft.Data.Sqlite.SqliteConnection(
                $"Data Source={Connection};Pooling=False")
            : new NpgsqlConnection(Connection);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_folder is not null)
        {
            Directory.Delete(_folder, recursive: true);
        }

        if (_database is not null)
        {
            using var connection = new NpgsqlConnection(Environment.GetEnvironmentVariable(Variable));
            connection.Open();
            using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", connection);
            drop.ExecuteNonQuery();
        }
    }
}
