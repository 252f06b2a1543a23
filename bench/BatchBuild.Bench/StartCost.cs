using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace BatchBuild.Bench;

/// <summary>
/// What planning with measured start costs buys, side by side in one run on 2 workers, each
/// BatchBuild figure after one earlier run with the same settings recorded the history it plans
/// from: one test batch of a whole suite on 1 worker against plain <c>dotnet test</c>;
/// <c>Size=auto</c> against plain on suites that run serially in one process and on suites that
/// already run in parallel; <c>class-name</c> on the serial suites; <c>Size=auto</c> on the skewed
/// suite's projects one at a time and on the whole suite against the start-aware lower bound; the
/// predicted makespan of every BatchBuild run against its measured run time; and tests lost.
/// </summary>
internal static class StartCost
{
    private static readonly CultureInfo Cultureless = CultureInfo.InvariantCulture;

    /// <summary>Runs every figure and returns the table's lines.</summary>
    public static async Task<IReadOnlyList<string>> RunAsync(
        string suite,
        string scratch,
        string package,
        IReadOnlyList<LargeSuite> largeSuites)
    {
        var rows = new List<Row>();
        foreach (var large in largeSuites)
        {
            // A suite that fails to run costs its own rows, not the others'.
            var before = rows.Count;
            try
            {
                rows.AddRange(await LargeAsync(large, package, scratch));
            }
            catch (BenchmarkFailed e)
            {
                rows.Add(new Row(
                    Path.GetFileNameWithoutExtension(large.Project),
                    double.NaN,
                    "",
                    Met: false,
                    e.Message.Split('\n')[0]));
                Console.WriteLine($"Start cost: {large.Project} failed: {e.Message}");
            }

            rows.Skip(before).ToList().ForEach(Print);
        }

        try
        {
            rows.AddRange(await SkewedAsync(suite, scratch));
        }
        catch (BenchmarkFailed e)
        {
            rows.Add(new Row("skewed suite", double.NaN, "", Met: false, e.Message.Split('\n')[0]));
            Console.WriteLine($"Start cost: the skewed suite failed: {e.Message}");
        }

        var lines = new List<string>
        {
            "",
            "Start-cost-aware planning (2 workers unless said; each BatchBuild run after one that recorded history):",
            $"  {"figure",-66} {"measured",9} {"goal",9}  {"",-7} notes",
        };
        lines.AddRange(rows.Select(Line));
        return lines;
    }

    private static string Line(Row row) => string.Create(
        Cultureless,
        $"  {row.Figure,-66} {row.Measured,9:0.00} {row.Goal,9}  {(row.Met ? "met" : "NOT met"),-7} {row.Notes}");

    private static void Print(Row row) => Console.WriteLine(Line(row));

    // A large public suite: plain, one whole-suite test batch on 1 worker, Size=auto on 2 workers
    // and, for a serial suite, class-name.
    private static async Task<IEnumerable<Row>> LargeAsync(LargeSuite large, string package, string scratch)
    {
        var name = Path.GetFileNameWithoutExtension(large.Project);
        var directory = Path.GetDirectoryName(large.Project)!;
        string[] imports =
        [
            $"-p:CustomBeforeMicrosoftCommonProps={Path.Combine(package, "build", "BatchBuild.props")}",
            $"-p:CustomAfterMicrosoftCommonTargets={Path.Combine(package, "build", "BatchBuild.targets")}",
        ];
        if (large.TestingPlatform)
        {
            // The reporter must be in the app: an MTP suite is built with BatchBuild's targets.
            Console.WriteLine($"Start cost: building {name} with BatchBuild …");
            await Shell.MustAsync(
                directory,
                null,
                "dotnet",
                ["build", large.Project, "-c", "Release", "-v:quiet", .. imports]);
        }

        string[] test = large.TestingPlatform
            ? ["test", "--project", large.Project, "--no-build", "-c", "Release"]
            : ["test", large.Project, "--no-build", "-c", "Release"];
        Console.WriteLine($"Start cost: {name} plain and under BatchBuild …");
        await Shell.RunAsync(directory, null, "dotnet", test);
        var plains = new List<double>();
        async Task Plain() => plains.Add((await Shell.RunAsync(directory, null, "dotnet", test)).Elapsed.TotalSeconds);

        var runs = new List<(string Label, Figures Figures, double Goal)>();
        var kind = large.Serial ? "serial" : "parallel";
        var configurations = new List<(string Label, string[] Settings, double Goal)>
        {
            ("one test batch of the whole suite, 1 worker", ["fixed-size", "1000000", "1"], 1.10),
            ("Size=auto", ["fixed-size", "auto", "2"], large.Serial ? 1.0 : 1.15),
        };
        if (large.Serial)
        {
            configurations.Add(("class-name", ["class-name", "", "2"], 10.0));
        }

        await Plain();
        foreach (var (label, settings, goal) in configurations)
        {
            var store = Path.Combine(scratch, $"{name}-{settings[0]}-{settings[1]}-{settings[2]}.db");
            string[] batched =
            [
                .. test,
                .. imports,
                $"-p:BatchBuildStrategy={settings[0]}",
                .. (settings[1].Length > 0 ? [$"-p:BatchBuildSize={settings[1]}"] : Array.Empty<string>()),
                $"-p:BatchBuildWorkers={settings[2]}",
                $"-p:BatchBuildStore={store}",
            ];
            var results = Path.Combine(scratch, $"{name}-results");
            await RunBatchedAsync(directory, batched, results, name);
            await Plain();
            runs.Add((label, await RunBatchedAsync(directory, batched, results, name), goal));
        }

        var plain = Median(plains);
        return runs.SelectMany(run => Rows(
            $"{name} ({kind}{(large.TestingPlatform ? ", MTP" : string.Empty)}): {run.Label}",
            run.Figures,
            plain,
            run.Goal,
            "x plain"));
    }

    // The skewed suite: each project alone (serial, 30 s of tests or more) with Size=auto on
    // 2 workers against plain, then the whole suite with Size=auto on 2 and 4 workers against the
    // start-aware lower bound of what the plan lines say and the store recorded.
    private static async Task<IEnumerable<Row>> SkewedAsync(string suite, string scratch)
    {
        var rows = new List<Row>();
        foreach (var project in new[] { "Catalog", "Payments", "Search" })
        {
            var path = Path.Combine($"Bench.{project}", $"Bench.{project}.csproj");
            Console.WriteLine($"Start cost: Bench.{project} plain and Size=auto …");
            string[] test = ["test", path, "--no-build", "-c", "Release"];
            var plain = new List<double>();
            await Shell.MustAsync(suite, null, "dotnet", [.. test, "-p:BatchBuildEnabled=false"]);
            plain.Add((await Shell.MustAsync(suite, null, "dotnet", [.. test, "-p:BatchBuildEnabled=false"]))
                .Elapsed.TotalSeconds);
            string[] auto =
            [
                .. test,
                "-p:BatchBuildStrategy=fixed-size",
                "-p:BatchBuildSize=auto",
                "-p:BatchBuildWorkers=2",
                $"-p:BatchBuildStore={Path.Combine(scratch, $"skewed-{project}.db")}",
            ];
            var results = Path.Combine(scratch, "skewed-results");
            await RunBatchedAsync(suite, auto, results, $"Bench.{project}");
            var figures = await RunBatchedAsync(suite, auto, results, $"Bench.{project}");
            plain.Add((await Shell.MustAsync(suite, null, "dotnet", [.. test, "-p:BatchBuildEnabled=false"]))
                .Elapsed.TotalSeconds);
            var serial = Recorded(Path.Combine(scratch, $"skewed-{project}.db")).Serial / 1000;
            rows.AddRange(Rows(
                string.Create(Cultureless, $"Bench.{project} alone (serial, {serial:0} s of tests): Size=auto"),
                figures,
                Median(plain),
                0.65,
                "x plain"));
        }

        foreach (var workers in new[] { 2, 4 })
        {
            Console.WriteLine($"Start cost: the skewed suite, Size=auto on {workers} workers …");
            var store = Path.Combine(scratch, $"skewed-{workers}.db");
            string[] auto =
            [
                "test",
                "Bench.sln",
                "--no-build",
                "-c",
                "Release",
                "-p:BatchBuildStrategy=fixed-size",
                "-p:BatchBuildSize=auto",
                $"-p:BatchBuildWorkers={workers}",
                $"-p:BatchBuildStore={store}",
            ];
            var results = Path.Combine(scratch, "skewed-results");
            await RunBatchedAsync(suite, auto, results, null);
            var figures = await RunBatchedAsync(suite, auto, results, null);
            var bound = StartAwareBound(store, figures, workers);
            rows.Add(new Row(
                $"skewed suite (3 projects), Size=auto, {workers} workers: x start-aware lower bound",
                figures.Wall / bound,
                "<= 1.10",
                figures.Wall / bound <= 1.10,
                string.Create(
                    Cultureless,
                    $"dotnet test {figures.Wall:0.0} s, bound {bound:0.0} s; {figures.TestBatches} test batches; "
                        + $"lost {figures.Lost}")));
            rows.Add(PredictionRow($"skewed suite, {workers} workers", figures));
        }

        return rows;
    }

    // The rows of one BatchBuild run: its time against plain, its prediction, and lost tests.
    private static IEnumerable<Row> Rows(string figure, Figures figures, double plain, double goal, string unit)
    {
        var ratio = figures.Wall / plain;
        yield return new Row(
            $"{figure}: {unit}",
            ratio,
            string.Create(Cultureless, $"<= {goal:0.00}"),
            ratio <= goal && figures.Lost == 0,
            string.Create(
                Cultureless,
                $"{figures.Wall:0.0} s vs plain {plain:0.0} s; {figures.TestBatches} test batches, start "
                    + $"{figures.StartSeconds:0.00} s; lost {figures.Lost}; exit code {figures.ExitCode}"));
        yield return PredictionRow(figure, figures);
    }

    private static Row PredictionRow(string figure, Figures figures)
    {
        var error = figures.Predicted is { } predicted && figures.Measured > 0
            ? Math.Abs(predicted - figures.Measured) / figures.Measured
            : double.NaN;
        return new Row(
            $"{figure}: predicted vs measured makespan",
            error * 100,
            "<= 15 %",
            error <= 0.15,
            string.Create(
                Cultureless,
                $"predicted {figures.Predicted:0.0} s, measured {figures.Measured:0.0} s (its test batches' run)"));
    }

    // Runs BatchBuild and reads its plan and summary lines from the output, or from the launcher's
    // log for an MTP app (dotnet test shows an app's output only when it fails). Sums the lines of
    // every project: tests, test batches, lost tests; the longest run and prediction.
    private static async Task<Figures> RunBatchedAsync(
        string directory,
        string[] arguments,
        string results,
        string? log)
    {
        if (Directory.Exists(results))
        {
            Directory.Delete(results, recursive: true);
        }

        var run = await Shell.RunAsync(directory, null, "dotnet", [.. arguments, "--results-directory", results]);
        var text = run.Output;
        if (log is not null && File.Exists(Path.Combine(results, $"{log}.batchbuild.log")))
        {
            text += File.ReadAllText(Path.Combine(results, $"{log}.batchbuild.log"));
        }

        var plans = Regex.Matches(
                text,
                @"BatchBuild (?<project>\S+): (?<tests>\d+) tests in (?<batches>\d+) test batches[^\n]*?"
                    + @"start (?<start>[\d.]+) s[^\n]*?predicted (?<predicted>[\d.]+) s")
            .DistinctBy(match => match.Groups["project"].Value)
            .ToList();
        var summaries = Regex.Matches(
                text,
                @"BatchBuild (?<project>\S+): (?<passed>\d+) passed, (?<failed>\d+) failed, (?<skipped>\d+) skipped, "
                    + @"(?<notRun>\d+) not run[^;\n]*; (?<batches>\d+) test batches on \d+ workers in "
                    + @"(?<wall>[\d.]+) s")
            .DistinctBy(match => match.Groups["project"].Value)
            .ToList();
        if (plans.Count == 0 || summaries.Count != plans.Count)
        {
            throw new BenchmarkFailed(
                $"no plan or summary line from dotnet {string.Join(' ', arguments)}:{Environment.NewLine}{text}");
        }

        static double Number(Match match, string group) => double.Parse(match.Groups[group].Value, Cultureless);
        var planned = plans.Sum(match => Number(match, "tests"));
        var reported = summaries.Sum(match => Number(match, "passed") + Number(match, "failed")
            + Number(match, "skipped"));
        return new Figures(
            run.Elapsed.TotalSeconds,
            run.ExitCode,
            (int)summaries.Sum(match => Number(match, "batches")),
            (int)(planned - reported),
            plans.Average(match => Number(match, "start")),
            plans.Max(match => Number(match, "predicted")),
            summaries.Max(match => Number(match, "wall")),
            plans.ToDictionary(
                match => match.Groups["project"].Value,
                match => (Batches: (int)Number(match, "batches"), Start: Number(match, "start") * 1000)));
    }

    // max((W + B·h) / m, longest test + h) over the suite's projects: W and the longest test from
    // the newest recorded duration of each test, B and h from each project's plan line.
    private static double StartAwareBound(string store, Figures figures, int workers)
    {
        var work = 0.0;
        var longest = 0.0;
        foreach (var (project, (batches, start)) in figures.Projects)
        {
            var (serial, longestTest, _) = Recorded(store, project);
            work += serial + batches * start;
            longest = Math.Max(longest, longestTest + start);
        }

        return Math.Max(work / workers, longest) / 1000;
    }

    // Total and longest of the newest recorded duration of each test (of one assembly, when given).
    public static (double Serial, double Longest, int Tests) Recorded(string path, string? assembly = null)
    {
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var query = connection.CreateCommand();
        query.CommandText = """
            SELECT duration_ms FROM test_results t
            WHERE id = (SELECT MAX(id) FROM test_results u WHERE u.assembly = t.assembly AND u.full_name = t.full_name)
              AND (@assembly IS NULL OR assembly = @assembly)
            """;
        query.Parameters.AddWithValue("@assembly", (object?)assembly ?? DBNull.Value);
        using var reader = query.ExecuteReader();
        var durations = new List<double>();
        while (reader.Read())
        {
            durations.Add(reader.GetDouble(0));
        }

        return (durations.Sum(), durations.DefaultIfEmpty(0).Max(), durations.Count);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1
            ? sorted[sorted.Count / 2]
            : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private sealed record Row(string Figure, double Measured, string Goal, bool Met, string Notes);

    // What one BatchBuild run printed: its wall time and exit code; test batches and lost tests over
    // its projects; the mean start cost its plans used; the longest prediction and run time of a
    // project's test batches; each project's test batches and start cost in milliseconds.
    private sealed record Figures(
        double Wall,
        int ExitCode,
        int TestBatches,
        int Lost,
        double StartSeconds,
        double? Predicted,
        double Measured,
        IReadOnlyDictionary<string, (int Batches, double Start)> Projects);
}
