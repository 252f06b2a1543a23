using System.Globalization;
using System.Text.RegularExpressions;
using BatchBuild.Bench;
using BatchBuild.Tasks;

// Runs the skewed benchmark suite under plain `dotnet test`, under BatchBuild and as a round-robin
// split, measures a test batch of one trivial test against a bare translation-layer run of it, and
// runs large suites given with --suite (test projects built in Release) plain and under BatchBuild;
// all in one go on this machine, figures side by side.
// With --agents it runs four CI agents on the skewed suite instead: queue, static and count-based splits.
// With --mtp it measures Microsoft.Testing.Platform mode instead: a test batch of one trivial test
// against a bare run of the app, and large MTP suites given with --mtp-suite, plain and batched.
// With --start-cost it measures planning with start costs: whole-suite test batches and Size=auto on
// the large suites (--serial-suite for one whose tests run one after another in one process,
// --suite for one that runs them in parallel, --mtp-suite for an MTP app) and on the skewed suite.
// Usage: dotnet run --project bench/BatchBuild.Bench -c Release [-- --repeat N] [--suite path/to/Tests.csproj]...
//        | [-- --agents] | [-- --mtp [--repeat N] [--mtp-suite path/to/Tests.csproj]...]
//        | [-- --start-cost [--serial-suite|--suite|--mtp-suite path/to/Tests.csproj]...]
var repeat = args.SkipWhile(a => a != "--repeat").Skip(1).Select(int.Parse).DefaultIfEmpty(9).First();
var suites = args
    .Select((a, i) => (a, i))
    .Where(p => p.a == "--suite" && p.i + 1 < args.Length)
    .Select(p => Path.GetFullPath(args[p.i + 1]))
    .ToList();
var testingPlatformSuites = args
    .Select((a, i) => (a, i))
    .Where(p => p.a == "--mtp-suite" && p.i + 1 < args.Length)
    .Select(p => Path.GetFullPath(args[p.i + 1]))
    .ToList();
var serialSuites = args
    .Select((a, i) => (a, i))
    .Where(p => p.a == "--serial-suite" && p.i + 1 < args.Length)
    .Select(p => Path.GetFullPath(args[p.i + 1]))
    .ToList();
var root = FindRoot();
var suite = Path.Combine(root, "bench", "suite");
var scratch = Directory.CreateTempSubdirectory("batchbuild-bench-").FullName;
const string version = "0.1.0-bench";
var cultureless = CultureInfo.InvariantCulture;

try
{
    Console.WriteLine($"BatchBuild benchmark — {Environment.ProcessorCount} cores, .NET {Environment.Version}, "
        + $"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
    var package = await PrepareAsync();
    var vstest = await VSTestConsoleAsync();
    TestPlatformAssemblies.ResolveFrom(vstest);
    if (args.Contains("--agents"))
    {
        await Agents.RunAsync(root, suite, scratch);
        return 0;
    }

    if (args.Contains("--start-cost"))
    {
        IEnumerable<LargeSuite> chosen =
        [
            .. serialSuites.Select(project => new LargeSuite(project, Serial: true, TestingPlatform: false)),
            .. suites.Select(project => new LargeSuite(project, Serial: false, TestingPlatform: false)),
            .. testingPlatformSuites.Select(project => new LargeSuite(project, Serial: false, TestingPlatform: true)),
        ];
        var figures = await StartCost.RunAsync(suite, scratch, package, [.. chosen]);
        Console.WriteLine($"Measuring the cost of a test batch of one trivial test ({repeat} runs each) …");
        var (trivialBare, trivialBatched, _, _) = await OverheadAsync(vstest);
        foreach (var line in figures)
        {
            Console.WriteLine(line);
        }

        Console.WriteLine(string.Create(
            cultureless,
            $"  {"trivial test batch vs a bare RunTests (median of " + repeat + " x 10)",-66} "
                + $"{trivialBatched / trivialBare,9:0.00} {"<= 1.05",9}  "
                + $"{(trivialBatched <= 1.05 * trivialBare ? "met" : "NOT met"),-7} "
                + $"{trivialBatched:0.000} s vs {trivialBare:0.000} s"));
        return 0;
    }

    if (args.Contains("--mtp"))
    {
        var figures = await TestingPlatform.RunAsync(suite, scratch, package, repeat, testingPlatformSuites);
        Console.WriteLine();
        foreach (var line in figures)
        {
            Console.WriteLine(line);
        }

        return 0;
    }

    var assemblies = new[] { "Catalog", "Payments", "Search" }
        .Select(name => Path.Combine(suite, $"Bench.{name}", "bin", "Release", "net10.0", $"Bench.{name}.dll"))
        .ToArray();

    var store = Path.Combine(scratch, "batchbuild.db");
    var rows = new List<(string Name, TimeSpan Wall, string Note)>();
    string[] BatchBuild(int workers, long? cap) =>
    [
        "test",
        "Bench.sln",
        "--no-build",
        "-c",
        "Release",
        "-p:BatchBuildStrategy=fixed-size",
        "-p:BatchBuildSize=1000",
        $"-p:BatchBuildDurationMillis={cap}", $"-p:BatchBuildWorkers={workers}", $"-p:BatchBuildStore={store}",
    ];

    Console.WriteLine("Running: plain dotnet test …");
    var plain = await Shell.MustAsync(
        suite,
        null,
        "dotnet",
        "test",
        "Bench.sln",
        "--no-build",
        "-c",
        "Release",
        "-p:BatchBuildEnabled=false");
    rows.Add(("plain dotnet test (projects in parallel, one test host each)", plain.Elapsed, ""));

    Console.WriteLine("Running: BatchBuild without history …");
    var cold = await Shell.MustAsync(suite, null, "dotnet", BatchBuild(2, null));
    rows.Add(("BatchBuild fixed-size, no history, 2 workers", cold.Elapsed, TestBatches(cold.Output)));

    var (serial, longest, tests) = StartCost.Recorded(store);
    foreach (var workers in new[] { 2, 4 })
    {
        // The cap a user would set from the recorded serial time: about two test batches per worker.
        var cap = (long)Math.Max(longest, serial / (2 * workers));
        Console.WriteLine($"Running: BatchBuild with durations on {workers} workers …");
        var warm = await Shell.MustAsync(suite, null, "dotnet", BatchBuild(workers, cap));
        rows.Add((
            $"BatchBuild fixed-size + durations, {workers} workers",
            warm.Elapsed,
            $"durationMillis {cap}; {TestBatches(warm.Output)}"));

        Console.WriteLine($"Running: round-robin split on {workers} workers …");
        rows.Add((
            $"round-robin split, {workers} workers (bare translation layer)",
            await Bare.RoundRobinAsync(vstest, assemblies, workers),
            ""));
        var bound = TimeSpan.FromMilliseconds(Math.Max(serial / workers, longest));
        rows.Add(($"lower bound max(serial / {workers}, longest test)", bound, ""));
    }

    Console.WriteLine($"Measuring the cost of a test batch of one trivial test ({repeat} runs each) …");
    var (bare, batched, firstBatch, wholeRun) = await OverheadAsync(vstest);
    var large = new List<string>();
    foreach (var project in suites)
    {
        large.AddRange(await LargeSuiteAsync(project, package));
    }

    Console.WriteLine();
    Console.WriteLine($"Suite: {tests} tests in 3 projects, serial time {serial / 1000:0.0} s, longest test "
        + $"{longest / 1000:0.0} s (recorded by BatchBuild)");
    Console.WriteLine("BatchBuild settings: fixed-size, size 1000, durationMillis max(longest test, serial / (2 x "
        + "workers))");
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
        var wall = rows
            .First(r => r.Name.StartsWith($"BatchBuild fixed-size + durations, {workers}", StringComparison.Ordinal))
            .Wall.TotalSeconds;
        var target = 1.25 * bound + batched;
        Console.WriteLine(string.Create(cultureless,
            $"{workers} workers: makespan {wall:0.0} s = {wall / bound:0.00} x lower bound {bound:0.0} s; target 1.25 "
                + $"x bound + one test batch = {target:0.0} s: {(wall <= target ? "met" : "NOT met")}"));
    }

    Console.WriteLine();
    Console.WriteLine(string.Create(
        cultureless,
        $"One trivial MSTest test per test batch, median over {repeat} runs of 11 tests (one worker, warm "
            + $"vstest.console):"));
    Console.WriteLine(string.Create(cultureless, $"  bare RunTests through the translation layer     {bare:0.000} s"));
    Console.WriteLine(string.Create(
        cultureless,
        $"  BatchBuild test batch (as the task timed it)    {batched:0.000} s  = {batched / bare:0.00} x bare "
            + $"(targets 0.30 s and 1.1 x: {(batched <= 0.30 && batched <= 1.1 * bare ? "met" : "NOT met")})"));
    Console.WriteLine(string.Create(
        cultureless,
        $"  the first test batch of a run (cold session)    {firstBatch:0.000} s"));
    Console.WriteLine(string.Create(
        cultureless,
        $"  whole dotnet test --no-build of the 11 tests: plain {wholeRun.Plain:0.00} s, BatchBuild isolate "
            + $"{wholeRun.Batched:0.00} s"));
    foreach (var line in large)
    {
        Console.WriteLine(line);
    }

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

async Task<string> PrepareAsync()
{
    Console.WriteLine("Packing BatchBuild and building the suite …");
    var feed = Path.Combine(root, "artifacts", "bench-feed");
    await Shell.MustAsync(
        root,
        null,
        "dotnet",
        "pack",
        Path.Combine("src", "Tasks", "BatchBuild.Tasks.csproj"),
        "-c",
        "Release",
        "-o",
        feed,
        $"-p:Version={version}");
    var locals = await Shell.MustAsync(root, null, "dotnet", "nuget", "locals", "global-packages", "--list");
    var cached = Path.Combine(locals.Output.Trim().Split(':', 2)[1].Trim(), "batchbuild", version);
    if (Directory.Exists(cached))
    {
        Directory.Delete(cached, recursive: true);
    }

    await Shell.MustAsync(suite, null, "dotnet", "build", "Bench.sln", "-c", "Release", "-v:quiet");
    await Shell.MustAsync(
        suite,
        null,
        "dotnet",
        "build",
        Path.Combine("Bench.Trivial", "Bench.Trivial.csproj"),
        "-c",
        "Release",
        "-v:quiet");

    // Suites that do not reference the package get its props and targets through MSBuild's hooks.
    var unpacked = Path.Combine(scratch, "package");
    System.IO.Compression.ZipFile.ExtractToDirectory(Path.Combine(feed, $"BatchBuild.{version}.nupkg"), unpacked);
    return unpacked;
}

async Task<string> VSTestConsoleAsync()
{
    var sdks = await Shell.MustAsync(root, null, "dotnet", "--list-sdks");
    var version = (await Shell.MustAsync(root, null, "dotnet", "--version")).Output.Trim();
    var line = sdks.Output.Split('\n').First(l => l.StartsWith(version + " ", StringComparison.Ordinal));
    return Path.Combine(line[(line.IndexOf('[') + 1)..line.IndexOf(']')], version, "vstest.console.dll");
}

// Eleven trivial MSTest tests under isolate on one worker: every test batch after the first runs
// in a warm vstest.console, as in a suite; the bare baseline is the same warm RunTests of one test.
async Task<(double Bare, double Batched, double First, (double Plain, double Batched) WholeRun)> OverheadAsync(
    string vstest)
{
    var project = Path.Combine(suite, "Bench.Trivial");
    var assembly = Path.Combine(project, "bin", "Release", "net10.0", "Bench.Trivial.dll");
    var bare = Bare.RunEach(vstest, assembly);
    var batched = new List<double>();
    var first = new List<double>();
    var wholePlain = new List<double>();
    var wholeBatched = new List<double>();
    for (var i = 0; i < repeat; i++)
    {
        var run = await Shell.MustAsync(project, null, "dotnet", "test", "--no-build", "-c", "Release",
            "-p:BatchBuildStrategy=isolate",
            "-p:BatchBuildWorkers=1",
            $"-p:BatchBuildStore={Path.Combine(scratch, "overhead.db")}",
            "-v:n");
        wholeBatched.Add(run.Elapsed.TotalSeconds);
        var took = Regex.Matches(run.Output, @"BatchBuild Bench\.Trivial: test batch (\d+) took (\d+) ms")
            .Select(m => (
                Index: int.Parse(m.Groups[1].Value, cultureless),
                Seconds: double.Parse(m.Groups[2].Value, cultureless) / 1000))
            .OrderBy(t => t.Index)
            .ToList();
        if (took.Count < 2)
        {
            throw new BenchmarkFailed($"no timing lines for the trivial test "
                + $"batches:{Environment.NewLine}{run.Output}");
        }

        first.Add(took[0].Seconds);
        batched.AddRange(took.Skip(1).Select(t => t.Seconds));
        wholePlain.Add((await Shell.MustAsync(
            project,
            null,
            "dotnet",
            "test",
            "--no-build",
            "-c",
            "Release",
            "-p:BatchBuildEnabled=false")).Elapsed.TotalSeconds);
    }

    return (Median(bare), Median(batched), Median(first), (Median(wholePlain), Median(wholeBatched)));
}

// A large suite that does not reference BatchBuild: plain, then fixed-size in about 8 test
// batches and class-name, on 2 workers, each checked for lost tests.
async Task<IEnumerable<string>> LargeSuiteAsync(string project, string package)
{
    var name = Path.GetFileNameWithoutExtension(project);
    var directory = Path.GetDirectoryName(project)!;
    Console.WriteLine($"Running: {name} plain and under BatchBuild …");
    await Shell.MustAsync(directory, null, "dotnet", "test", project, "--no-build", "-c", "Release");
    var plain = await Shell.MustAsync(directory, null, "dotnet", "test", project, "--no-build", "-c", "Release");
    var total = int.Parse(Regex.Match(plain.Output, @"Total:\s+(\d+)").Groups[1].Value, cultureless);
    string[] Batched(string strategy, params string[] more) =>
    [
        "test", project, "--no-build", "-c", "Release",
        $"-p:CustomBeforeMicrosoftCommonProps={Path.Combine(package, "build", "BatchBuild.props")}",
        $"-p:CustomAfterMicrosoftCommonTargets={Path.Combine(package, "build", "BatchBuild.targets")}",
        $"-p:BatchBuildStrategy={strategy}",
        "-p:BatchBuildWorkers=2",
        $"-p:BatchBuildStore={Path.Combine(scratch, name + ".db")}",
        .. more,
    ];

    var lines = new List<string> { "", string.Create(
        cultureless,
        $"{name}: {total} test cases; plain dotnet test --no-build {plain.Elapsed.TotalSeconds:0.0} s") };
    foreach (var (label, arguments, limit) in new[]
    {
        ("fixed-size, about 8 test batches", Batched("fixed-size", $"-p:BatchBuildSize={(total + 7) / 8}"), 1.5),
        ("class-name", Batched("class-name"), 10.0),
    })
    {
        var run = await Shell.RunAsync(directory, null, "dotnet", arguments);
        var summary = Regex.Match(
            run.Output,
            @"(\d+) passed, (\d+) failed, (\d+) skipped, (\d+) not run; (\d+) test batches");
        var planned = Regex.Match(run.Output, @"(\d+) tests in (\d+) test batches");
        if (!summary.Success || !planned.Success)
        {
            throw new BenchmarkFailed($"no summary from {name} under {label}:{Environment.NewLine}{run.Output}");
        }

        int Field(int group) => int.Parse(summary.Groups[group].Value, cultureless);
        var reported = Field(1) + Field(2) + Field(3);
        var ratio = run.Elapsed.TotalSeconds / plain.Elapsed.TotalSeconds;
        var lost = int.Parse(planned.Groups[1].Value, cultureless) - reported;
        lines.Add(string.Create(cultureless,
            $"  {label,-34} {run.Elapsed.TotalSeconds,6:0.0} s = {ratio:0.00} x plain (target {limit} x: "
                + $"{(ratio <= limit ? "met" : "NOT met")}); {Field(5)} test batches, {planned.Groups[1].Value} "
                    + $"tests, {reported} reported, {Field(4)} not run, {lost} lost; exit code {run.ExitCode}"));
    }

    return lines;
}

// Serial time and longest test from the latest recorded duration of every test.
string TestBatches(string output)
{
    var planned = Regex.Matches(output, @"BatchBuild (\S+): (\d+) tests in (\d+) test batches");
    return string.Join(", ", planned.Select(m => $"{m.Groups[1].Value} {m.Groups[3].Value} test batches"));
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1
        ? sorted[sorted.Count / 2]
        : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

static string FindRoot()
{
    for (var directory = new DirectoryInfo(AppContext.BaseDirectory);
        directory is not null;
        directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "BatchBuild.sln")))
        {
            return directory.FullName;
        }
    }

    throw new BenchmarkFailed($"no BatchBuild.sln above {AppContext.BaseDirectory}");
}
