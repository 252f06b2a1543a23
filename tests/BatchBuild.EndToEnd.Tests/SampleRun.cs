using Microsoft.Data.Sqlite;

namespace BatchBuild.EndToEnd.Tests;

/// <summary>
/// One real <c>dotnet test --no-build</c> over the built samples, with its own record folder and
/// store file, and what it left behind.
/// </summary>
internal sealed class SampleRun
{
    public static IReadOnlyDictionary<string, string> PackageEnvironment { get; } =
        new Dictionary<string, string> { ["BatchBuildPackageVersion"] = LocalPackage.Version };

    private SampleRun(CommandResult command, IReadOnlyList<SampleRecord> records, string store)
    {
        Command = command;
        Records = records;
        Store = store;
    }

    public CommandResult Command { get; }

    public IReadOnlyList<SampleRecord> Records { get; }

    /// <summary>The store file this run used.</summary>
    public string Store { get; }

    /// <summary>The sample tests grouped by the process that ran them, each group sorted.</summary>
    public IReadOnlyList<string[]> TestsByProcess =>
        [
            .. Records
                .GroupBy(r => r.ProcessId)
                .Select(g => g.Select(r => r.Test).Order(StringComparer.Ordinal).ToArray()),
        ];

    /// <summary>
    /// Runs <c>dotnet test</c> on <paramref name="target"/> (a project or the solution, relative to the
    /// samples, or to the copy of them in <paramref name="samples"/>; null for what dotnet test finds
    /// there itself) with the given extra arguments and environment.
    /// </summary>
    public static SampleRun Start(
        string? target,
        string[] arguments,
        IReadOnlyDictionary<string, string>? environment = null,
        string? store = null,
        string? samples = null,
        CancellationToken kill = default)
    {
        var records = $"{RecordsOfThisTest()}-{Guid.NewGuid():N}";
        var name = Path.GetFileName(records);
        store ??= Path.Combine(LocalPackage.Scratch, "stores", name, "batchbuild.db");
        var variables = new Dictionary<string, string>(PackageEnvironment) { ["SAMPLES_RECORD_DIR"] = records };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            variables[key] = value;
        }

        var command = Dotnet.Run(
            samples ?? LocalPackage.Samples,
            variables,
            kill,
            [
                "test",
                .. (target is null ? Array.Empty<string>() : [target]),
                "--no-build",
                $"-p:BatchBuildStore={store}",
                .. arguments]);
        return new SampleRun(command, ReadRecords(records), store);
    }

    /// <summary>
    /// Whether a run of the current test, finished or still going, has started the sample test
    /// <paramref name="test"/> (as its record names it): a sample test writes its record when it starts.
    /// </summary>
    public static bool HasStarted(string test)
    {
        var folder = RecordsOfThisTest();
        return Directory.Exists(Path.GetDirectoryName(folder))
            && Directory.EnumerateDirectories(Path.GetDirectoryName(folder)!, Path.GetFileName(folder) + "-*")
                .SelectMany(run => Directory.EnumerateFiles(run, "*.tsv"))
                .SelectMany(File.ReadAllLines)
                .Any(line => line.StartsWith(test + "\t", StringComparison.Ordinal));
    }

    // The records folders of the current test's runs start with this path.
    private static string RecordsOfThisTest()
    {
        var method = TestContext.CurrentContext.Test.MethodName ?? "run";
        return Path.Combine(LocalPackage.Scratch, "records", method[..Math.Min(method.Length, 24)]);
    }

    public IReadOnlyList<StoredResult> StoredResults()
    {
        Assert.That(File.Exists(Store), Is.True, $"no store file at {Store}");
        var readOnly = new SqliteConnectionStringBuilder
        {
            DataSource = Store,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        };
        using var connection = new SqliteConnection(readOnly.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT batch_id, test_batch, assembly, full_name, outcome, duration_ms FROM "
            + "test_results ORDER BY id";
        using var reader = command.ExecuteReader();
        var results = new List<StoredResult>();
        while (reader.Read())
        {
            results.Add(new StoredResult(
                reader.GetString(0),
                reader.GetInt32(1),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetString(4),
                reader.GetDouble(5)));
        }

        return results;
    }

    private static List<SampleRecord> ReadRecords(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        return [.. Directory.EnumerateFiles(directory, "*.tsv")
            .SelectMany(File.ReadAllLines)
            .Where(line => line.Length > 0)
            .Select(line => line.Split('\t'))
            .Select(f => new SampleRecord(
                f[0],
                f[1],
                f[2],
                f[3],
                int.Parse(f[4], System.Globalization.CultureInfo.InvariantCulture),
                f[5]))];
    }
}
