namespace BatchBuild.Tests.Shared;

/// <summary>
/// Tests that each get an empty store database of their own on <paramref name="provider"/>,
/// dropped after the test. A fixture over both providers adds
/// <c>[TestFixtureSource(typeof(TestDatabase), nameof(TestDatabase.Providers))]</c>.
/// </summary>
public abstract class DatabaseTest(string provider)
{
    private TestDatabase? _database;

    /// <summary>This test's database.</summary>
    protected TestDatabase Database =>
        _database ?? throw new InvalidOperationException("The database is created in SetUp.");

    [SetUp]
    public void CreateDatabase() => _database = TestDatabase.Create(provider);

    [TearDown]
    public void DropDatabase() => _database?.Dispose();
}
