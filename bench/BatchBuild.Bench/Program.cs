using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using BatchBuild.Bench;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Running;
using Microsoft.Data.Sqlite;

// Runs the skewed benchmark suite under plain `dotnet test`, under BatchBuild and as a round-robin
// split, in one go on this machine, and prints the figures side by side.
// Usage: dotnet run --project bench/BatchBuild.Bench -c Release [-- --repeat N]
var repeat = args.SkipWhile(a => a != "--repeat").Skip(1).Select(int.Parse).DefaultIfEmpty(9).First();
var root = FindRoot();
var suite = Path.Combine(root, "bench", "suite");
var scratch = Directory.CreateTempSubdirectory("batchbuild-bench-").FullName;
const string version = "0.1.0-bench";
var cultureless = CultureInfo.InvariantCulture;

try
{
    Console.WriteLine($"BatchBuild benchmark — {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
    await PrepareAsync();
    var vstest = await VSTestConsoleAsync();
    var assemblies = new[] { "Catalog", "Payments", "Search" }
        .Select(name => Path.Combine(suite, $"Bench.{name}", "bin", "Release", "net10.0", $"Bench.{name}.dll"))
        .ToArray();

    var store = Path.Combine(scratch, "batchbuild.db");
    var rows = new List<(string Name, TimeSpan Wall, string Note)>();
    string[] BatchBuild(int workers, long? cap) =>
    [
        "test", "Bench.sln", "--no-build", "-c", "Release", "-p:BatchBuildStrategy=fixed-size", "-p:BatchBuildSize=1000",
        $"-p:BatchBuildDurationMillis={cap}", $"-p:BatchBuildWorkers={workers}", $"-p:BatchBuildStore={store}",
    ];

    Console.WriteLine("Running: plain dotnet test …");
    var plain = await Shell.MustAsync(suite, null, "dotnet", "test", "Bench.sln", "--no-build", "-c", "Release", "-p:BatchBuildEnabled=false");
    rows.Add(("plain dotnet test (projects in parallel, one test host each)", plain.Elapsed, ""));

    Console.WriteLine("Running: BatchBuild without history …");
    var cold = await Shell.MustAsync(suite, null, "dotnet", BatchBuild(2, null));
    rows.Add(("BatchBuild fixed-size, no history, 2 workers", cold.Elapsed, TestBatches(cold.Output)));

    var (serial, longest, tests) = Recorded(store);
    foreach (var workers in new[] { 2, 4 })
    {
        // The cap a user would set from the recorded serial time: about two test batches per worker.
        var cap = (long)Math.Max(longest, serial / (2 * workers));
        Console.WriteLine($"Running: BatchBuild with durations on {workers} workers …");
        var warm = await Shell.MustAsync(suite, null, "dotnet", BatchBuild(workers, cap));
        rows.Add(($"BatchBuild fixed-size + durations, {workers} workers", warm.Elapsed, $"durationMillis {cap}; {TestBatches(warm.Output)}"));

        Console.WriteLine($"Running: round-robin split on {workers} workers …");
        rows.Add(($"round-robin split, {workers} workers (bare vstest.console)", await RoundRobinAsync(vstest, assemblies, workers), ""));
        var bound = TimeSpan.FromMilliseconds(Math.Max(serial / workers, longest));
        rows.Add(($"lower bound max(serial / {workers}, longest test)", bound, ""));
    }

    Console.WriteLine($"Measuring the cost of a test batch of one trivial test ({repeat} runs each) …");
    var (bare, batched, replayed, wholeRun) = await OverheadAsync(vstest, assemblies[2]);

    Console.WriteLine();
    Console.WriteLine($"Suite: {tests} tests in 3 projects, serial time {serial / 1000:0.0} s, longest test {longest / 1000:0.0} s (recorded by BatchBuild)");
    Console.WriteLine("BatchBuild settings: fixed-size, size 1000, durationMillis max(longest test, serial / (2 x workers))");
    Console.WriteLine();
    Console.WriteLine($"{"run",-64} {"wall",8}  notes");
    foreach (var (name, wall, note) in rows)
    {
        Console.WriteLine($"{name,-64} {wall.TotalSeconds,7:0.0}s  {note}");
    }

    Console.WriteLine();
    foreach (var workers in new[] { 2, 4 })
    {
        var bound = Math.Max(serial / workers, longest) / 1000;
        var wall = rows.First(r => r.Name.StartsWith($"BatchBuild fixed-size + durations, {workers}", StringComparison.Ordinal)).Wall.TotalSeconds;
        var target = 1.25 * bound + batched;
        Console.WriteLine(string.Create(cultureless,
            $"{workers} workers: makespan {wall:0.0} s = {wall / bound:0.00} x lower bound {bound:0.0} s; target 1.25 x bound + one test batch = {target:0.0} s: {(wall <= target ? "met" : "NOT met")}"));
    }

    Console.WriteLine();
    Console.WriteLine(string.Create(cultureless, $"One trivial test, median of {repeat} runs:"));
    Console.WriteLine(string.Create(cultureless, $"  bare vstest.console run                         {bare:0.000} s"));
    Console.WriteLine(string.Create(cultureless, $"  BatchBuild test batch (as the task timed it)    {batched:0.000} s  = {batched / bare:0.00} x bare (target 1.2 x: {(batched <= 1.2 * bare ? "met" : "NOT met")})"));
    Console.WriteLine(string.Create(cultureless, $"  its vstest.console run, replayed                {replayed:0.000} s  = {replayed / bare:0.00} x bare"));
    Console.WriteLine(string.Create(cultureless, $"  whole dotnet test --no-build of it: plain {wholeRun.Plain:0.00} s, BatchBuild {wholeRun.Batched:0.00} s (listing the tests costs one more vstest.console run per project)"));
    return 0;
}
catch (BenchmarkFailed e)
{
    Console.Error.WriteLine($"benchmark failed: {e.Message}");
    return 1;
}
finally
{
    Directory.Delete(scratch, recursive: true);
}

async Task PrepareAsync()
{
    Console.WriteLine("Packing BatchBuild and building the suite …");
    var feed = Path.Combine(root, "artifacts", "bench-feed");
    await Shell.MustAsync(root, null, "dotnet", "pack", Path.Combine("src", "Tasks", "BatchBuild.Tasks.csproj"), "-c", "Release", "-o", feed, $"-p:Version={version}");
    var locals = await Shell.MustAsync(root, null, "dotnet", "nuget", "locals", "global-packages", "--list");
    var cached = Path.Combine(locals.Output.Trim().Split(':', 2)[1].Trim(), "batchbuild", version);
    if (Directory.Exists(cached))
    {
        Directory.Delete(cached, recursive: true);
    }

    await Shell.MustAsync(suite, null, "dotnet", "build", "Bench.sln", "-c", "Release", "-v:quiet");
}

async Task<string> VSTestConsoleAsync()
{
    var sdks = await Shell.MustAsync(root, null, "dotnet", "--list-sdks");
    var version = (await Shell.MustAsync(root, null, "dotnet", "--version")).Output.Trim();
    var line = sdks.Output.Split('\n').First(l => l.StartsWith(version + " ", StringComparison.Ordinal));
    return Path.Combine(line[(line.IndexOf('[') + 1)..line.IndexOf(']')], version, "vstest.console.dll");
}

// A static split a CI matrix often uses: test i of the listing goes to worker i mod n, and each
// worker runs its share of every project in one vstest.console run.
async Task<TimeSpan> RoundRobinAsync(string vstest, string[] assemblies, int workers)
{
    var listed = new List<(string Assembly, string Test)>();
    foreach (var assembly in assemblies)
    {
        var list = Path.Combine(scratch, Path.GetFileNameWithoutExtension(assembly) + ".txt");
        await Shell.MustAsync(suite, null, "dotnet", "exec", vstest, assembly, "--ListFullyQualifiedTests", $"--ListTestsTargetPath:{list}");
        listed.AddRange(TestListing.Parse(assembly, File.ReadAllLines(list)).Select(t => (assembly, t.FullyQualifiedName)));
    }

    var clock = System.Diagnostics.Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, workers).Select(worker => Task.Run(async () =>
    {
        var share = listed.Where((_, i) => i % workers == worker).GroupBy(t => t.Assembly);
        foreach (var project in share)
        {
            var tests = SelectableTest.From(project.Select(t => DiscoveredTest.FromName(project.Key, t.Test)));
            var settings = Path.Combine(scratch, $"rr-{workers}-{worker}-{Path.GetFileNameWithoutExtension(project.Key)}.runsettings");
            new XDocument(new XElement("RunSettings", new XElement("NUnit", new XElement("Where", TestSelection.NUnitWhere(tests))))).Save(settings);
            await Shell.MustAsync(suite, null, "dotnet", "exec", vstest, project.Key, $"--Settings:{settings}");
        }
    })));
    return clock.Elapsed;
}

async Task<(double Bare, double Batched, double Replayed, (double Plain, double Batched) WholeRun)> OverheadAsync(string vstest, string assembly)
{
    const string trivial = "Bench.Search.SearchSmokeTests.Trivial";
    var project = Path.Combine(suite, "Bench.Search");
    var bare = new List<double>();
    var batched = new List<double>();
    var replayed = new List<double>();
    var wholePlain = new List<double>();
    var wholeBatched = new List<double>();
    for (var i = 0; i < repeat; i++)
    {
        bare.Add((await Shell.MustAsync(suite, null, "dotnet", "exec", vstest, assembly, $"--TestCaseFilter:FullyQualifiedName={trivial}")).Elapsed.TotalSeconds);

        var run = await Shell.MustAsync(project, null, "dotnet", "test", "--no-build", "-c", "Release", "--filter", $"FullyQualifiedName={trivial}",
            "-p:BatchBuildStrategy=isolate", $"-p:BatchBuildStore={Path.Combine(scratch, "overhead.db")}", "-v:n");
        wholeBatched.Add(run.Elapsed.TotalSeconds);
        var took = Regex.Match(run.Output, @"BatchBuild Bench\.Search: test batch 1 took (\d+) ms");
        if (!took.Success)
        {
            throw new BenchmarkFailed($"no timing line for the trivial test batch:{Environment.NewLine}{run.Output}");
        }

        batched.Add(double.Parse(took.Groups[1].Value, cultureless) / 1000);
        var batchId = Regex.Match(run.Output, @"; batch (\S+)\s*$", RegexOptions.Multiline).Groups[1].Value;
        var runSettings = Directory.EnumerateFiles(Path.Combine(project, "obj"), "test-batch-1.runsettings", SearchOption.AllDirectories)
            .Single(f => f.Contains(batchId, StringComparison.Ordinal));
        replayed.Add((await Shell.MustAsync(project, null, "dotnet", "exec", vstest, assembly, $"--Settings:{runSettings}", "--logger:console;verbosity=minimal")).Elapsed.TotalSeconds);

        wholePlain.Add((await Shell.MustAsync(project, null, "dotnet", "test", "--no-build", "-c", "Release", "--filter", $"FullyQualifiedName={trivial}", "-p:BatchBuildEnabled=false")).Elapsed.TotalSeconds);
    }

    return (Median(bare), Median(batched), Median(replayed), (Median(wholePlain), Median(wholeBatched)));
}

// Serial time and longest test from the latest recorded duration of every test.
(double Serial, double Longest, int Tests) Recorded(string path)
{
    using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
    connection.Open();
    using var query = connection.CreateCommand();
    query.CommandText = """
        SELECT duration_ms FROM test_results t
        WHERE id = (SELECT MAX(id) FROM test_results u WHERE u.assembly = t.assembly AND u.full_name = t.full_name)
        """;
    using var reader = query.ExecuteReader();
    var durations = new List<double>();
    while (reader.Read())
    {
        durations.Add(reader.GetDouble(0));
    }

    return (durations.Sum(), durations.Max(), durations.Count);
}

string TestBatches(string output)
{
    var planned = Regex.Matches(output, @"BatchBuild (\S+): (\d+) tests in (\d+) test batches");
    return string.Join(", ", planned.Select(m => $"{m.Groups[1].Value} {m.Groups[3].Value} test batches"));
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

static string FindRoot()
{
    for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "BatchBuild.sln")))
        {
            return directory.FullName;
        }
    }

    throw new BenchmarkFailed($"no BatchBuild.sln above {AppContext.BaseDirectory}");
}
