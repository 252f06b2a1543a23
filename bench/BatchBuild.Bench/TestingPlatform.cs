using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using BatchBuild.Core.Testing;

namespace BatchBuild.Bench;

/// <summary>
/// Microsoft.Testing.Platform mode, side by side in one run: what a test batch of one trivial
/// MSTest test costs under BatchBuild (as its launcher timed it) against a bare run of the app
/// with --filter-uid naming that test; and large MTP suites given with --mtp-suite, plain and as
/// fixed-size test batches on 2 workers: 2, 4 and 8 of them (one, two and four per worker).
/// </summary>
internal static class TestingPlatform
{
    private static readonly CultureInfo Cultureless = CultureInfo.InvariantCulture;

    public static async Task<IReadOnlyList<string>> RunAsync(
        string suite,
        string scratch,
        string package,
        int repeat,
        IReadOnlyList<string> largeSuites)
    {
        var folder = Path.Combine(suite, "Mtp");
        var project = Path.Combine(folder, "Bench.Mtp.Trivial");
        Console.WriteLine("Microsoft.Testing.Platform: building the trivial app …");
        await Shell.MustAsync(
            folder,
            null,
            "dotnet",
            "build",
            Path.Combine("Bench.Mtp.Trivial", "Bench.Mtp.Trivial.csproj"),
            "-c",
            "Release",
            "-v:quiet");
        var app = Path.Combine(project, "bin", "Release", "net10.0", "Bench.Mtp.Trivial");
        var listed = await Shell.MustAsync(folder, null, app, "--list-tests", "json");
        var uids = ListedTests.Read(app + ".dll", listed.Output).Tests?.Select(test => test.Id).ToList()
            ?? throw new BenchmarkFailed($"the trivial app listed no tests:{Environment.NewLine}{listed.Output}");

        Console.WriteLine($"Microsoft.Testing.Platform: {repeat} x {uids.Count} bare runs and {repeat} BatchBuild "
            + $"runs (isolate, one worker) …");
        var bare = new List<double>();
        var batched = new List<double>();
        var results = Path.Combine(scratch, "mtp-results");
        for (var i = 0; i < repeat; i++)
        {
            foreach (var uid in uids)
            {
                var clock = Stopwatch.StartNew();
                var run = await Shell.RunAsync(folder, null, app, "--filter-uid", uid);
                if (run.ExitCode != 0)
                {
                    throw new BenchmarkFailed($"a bare run of {uid} failed:{Environment.NewLine}{run.Output}");
                }

                bare.Add(clock.Elapsed.TotalSeconds);
            }

            await Shell.MustAsync(
                folder,
                null,
                "dotnet",
                "test",
                "--project",
                Path.Combine("Bench.Mtp.Trivial", "Bench.Mtp.Trivial.csproj"),
                "--no-build",
                "-c",
                "Release",
                "-p:BatchBuildStrategy=isolate",
                "-p:BatchBuildWorkers=1",
                $"-p:BatchBuildStore={Path.Combine(scratch, "mtp.db")}",
                "--results-directory",
                results);
            var log = await File.ReadAllTextAsync(Path.Combine(results, "Bench.Mtp.Trivial.batchbuild.log"));
            var took = Regex.Matches(log, @"test batch \d+ took (\d+) ms")
                .Select(m => double.Parse(m.Groups[1].Value, Cultureless) / 1000)
                .ToList();
            if (took.Count != uids.Count)
            {
                throw new BenchmarkFailed($"expected {uids.Count} timing lines in the launcher's "
                    + $"log:{Environment.NewLine}{log}");
            }

            batched.AddRange(took);
        }

        var (bareMedian, batchedMedian) = (Median(bare), Median(batched));
        var lines = new List<string>
        {
            string.Create(
                Cultureless,
                $"Microsoft.Testing.Platform, one trivial MSTest test per test batch, median over {repeat} x "
                    + $"{uids.Count} runs (one worker):"),
            string.Create(Cultureless, $"  bare run of the app with --filter-uid           {bareMedian:0.000} s"),
            string.Create(
                Cultureless,
                $"  BatchBuild test batch (as the launcher timed it) {batchedMedian:0.000} s  = "
                    + $"{batchedMedian / bareMedian:0.00} x bare (target 1.15 x: "
                        + $"{(batchedMedian <= 1.15 * bareMedian ? "met" : "NOT met")})"),
        };
        foreach (var large in largeSuites)
        {
            lines.AddRange(await LargeSuiteAsync(large, package, scratch));
        }

        return lines;
    }

    // A large MTP suite, built with BatchBuild's props and targets (the reporter goes into the app,
    // and does nothing unless BatchBuild starts the app): plain dotnet test, then fixed-size test
    // batches of a half, a quarter and an eighth of the suite on 2 workers.
    private static async Task<IEnumerable<string>> LargeSuiteAsync(string project, string package, string scratch)
    {
        var name = Path.GetFileNameWithoutExtension(project);
        var directory = Path.GetDirectoryName(project)!;
        string[] imports =
        [
            $"-p:CustomBeforeMicrosoftCommonProps={Path.Combine(package, "build", "BatchBuild.props")}",
            $"-p:CustomAfterMicrosoftCommonTargets={Path.Combine(package, "build", "BatchBuild.targets")}",
        ];
        Console.WriteLine($"Microsoft.Testing.Platform: building {name} with BatchBuild …");
        await Shell.MustAsync(directory, null, "dotnet", ["build", project, "-c", "Release", "-v:quiet", .. imports]);

        Console.WriteLine($"Microsoft.Testing.Platform: {name} plain and under BatchBuild …");
        string[] test = ["test", "--project", project, "--no-build", "-c", "Release"];
        await Shell.RunAsync(directory, null, "dotnet", test);
        var plain = await Shell.RunAsync(directory, null, "dotnet", test);
        var total = Total(plain.Output)
            ?? throw new BenchmarkFailed($"no total from plain dotnet test of "
                + $"{name}:{Environment.NewLine}{plain.Output}");
        var lines = new List<string>
        {
            "",
            string.Create(
                Cultureless,
                $"{name} (Microsoft.Testing.Platform): {total} tests; plain dotnet test --no-build "
                    + $"{plain.Elapsed.TotalSeconds:0.0} s (exit code {plain.ExitCode})"),
        };
        foreach (var testBatches in new[] { 2, 4, 8 })
        {
            var results = Path.Combine(scratch, $"{name}-results-{testBatches}");
            var batched = await Shell.RunAsync(directory, null, "dotnet",
            [
                .. test,
                .. imports,
                "-p:BatchBuildStrategy=fixed-size",
                $"-p:BatchBuildSize={(total + testBatches - 1) / testBatches}",
                "-p:BatchBuildWorkers=2",
                $"-p:BatchBuildStore={Path.Combine(scratch, $"{name}-{testBatches}-mtp.db")}",
                "--results-directory",
                results,
            ]);
            var log = await File.ReadAllTextAsync(Path.Combine(results, $"{name}.batchbuild.log"));
            var summary = Regex.Match(
                log,
                @"(\d+) passed, (\d+) failed, (\d+) skipped, (\d+) not run.*?; (\d+) test batches");
            var listed = Regex.Match(log, @"\[\s*([\d.]+) s\] BatchBuild [^:]+: the app listed");
            var ratio = batched.Elapsed.TotalSeconds / plain.Elapsed.TotalSeconds;
            lines.Add(string.Create(Cultureless,
                $"  fixed-size, {testBatches} test batches {batched.Elapsed.TotalSeconds,6:0.0} s = {ratio:0.00} x "
                    + $"plain (target 1.5 x: {(ratio <= 1.5 ? "met" : "NOT met")}); " +
                $"listing the tests {listed.Groups[1].Value} s; dotnet test counted {Total(batched.Output)} tests; "
                    + $"BatchBuild: {summary.Value}; exit code {batched.ExitCode}"));
        }

        return lines;
    }

    // The total dotnet test prints in its summary in this mode ("total: 19").
    private static int? Total(string output) =>
        Regex.Match(output, @"total:\s+(\d+)") is { Success: true } match
            ? int.Parse(match.Groups[1].Value, Cultureless)
            : null;

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
