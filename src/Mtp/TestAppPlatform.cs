using System.Diagnostics;
using System.Text;
using BatchBuild.Core;
using BatchBuild.Core.Configuration;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Planning;
using BatchBuild.Core.Running;
using BatchBuild.Core.Testing;
using BatchBuild.Runner;

namespace BatchBuild.Mtp;

/// <summary>
/// A Microsoft.Testing.Platform test app as the test platform of a project's run: the app lists its
/// own tests, and runs each test batch as a run of its own, with the arguments <c>dotnet test</c>
/// gave the app and <c>--filter-uid</c> naming the batch's tests: the run reports to
/// <c>dotnet test</c> as any run of the app does (the same execution ID makes it a further try of
/// the same app), and BatchBuild's reporter in the app writes each start and result to a file
/// BatchBuild reads as they come. A run that passes a time limit is killed with its process tree.
/// </summary>
internal sealed class TestAppPlatform(
    TestAppLaunch launch,
    string command,
    IReadOnlyList<string> arguments,
    string workFolder,
    TimeoutSettings timeouts,
    IRunLog log) : ITestPlatform
{
    // Exit codes of a test app that ran its tests to the end: all passed, some failed, none ran.
    private static readonly int[] Completed = [0, 2, 8];

    /// <summary>The most of a run's own output the log keeps.</summary>
    internal const int LogLimit = 16_000;

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private int _runs;

    // The uids the app listed: a test batch that holds them all runs as the app's own run, without
    // --filter-uid (see TestAppArguments.ForTestBatch).
    private IReadOnlySet<string>? _listed;

    // The run of the whole app made before the plan, until its test batch takes it.
    private readonly KeptRun<TestBatchRun> _kept = new();

    /// <inheritdoc />
    public string Name => "the test app";

    /// <inheritdoc />
    public async Task<IReadOnlyList<DiscoveredTest>?> DiscoverAsync(CancellationToken cancellationToken)
    {
        log.Say($"BatchBuild {launch.Project}: listing the tests of {launch.TestApp}", important: false);
        var start = new ProcessStartInfo(command)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in TestAppArguments.ForDiscovery(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        // The list can be tens of megabytes: it is read as the bytes the app writes.
        using var output = new MemoryStream();
        using var process = Process.Start(start)!;
        var reading = process.StandardOutput.BaseStream.CopyToAsync(output, cancellationToken);
        var readingErrors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        await reading.ConfigureAwait(false);
        var (errors, exitCode) = (await readingErrors.ConfigureAwait(false), process.ExitCode);

        var (tests, problem) = ListedTests.Read(launch.TestApp, output.GetBuffer().AsMemory(0, (int)output.Length));
        if (tests is null || exitCode != 0)
        {
            var said = Encoding.UTF8.GetString(output.GetBuffer(), 0, (int)Math.Min(output.Length, LogLimit));
            log.Report(new Diagnostic(
                DiagnosticCodes.DiscoveryFailed,
                DiagnosticSeverity.Warning,
                null,
                $"listing the tests of {launch.Project} failed ({problem ?? $"exit code {exitCode}"}); "
                + "the app needs Microsoft.Testing.Platform 2.3 or later. "
                + $"It said:{Environment.NewLine}{(said + errors).Trim()}",
                launch.TestApp));
            log.Say($"BatchBuild {launch.Project}: the tests run without BatchBuild");
            return null;
        }

        log.Say($"BatchBuild {launch.Project}: the app listed {tests.Count} tests", important: false);
        _listed = tests.Select(test => test.Id).ToHashSet(StringComparer.Ordinal);
        if (tests.Count == 0)
        {
            log.Say($"BatchBuild {launch.Project}: no tests to batch");
            return null;
        }

        return tests;
    }

    /// <inheritdoc />
    public void Finish(TimeSpan elapsed) =>
        log.Say($"BatchBuild {launch.Project}: the test batches ended", important: false);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    /// <inheritdoc />
    /// <remarks>
    /// The tests are named from what BatchBuild's reporter writes of each result; when a result does
    /// not say where its method is (a reporter of an older BatchBuild), the answer is no test, and the
    /// listing decides what the run holds.
    /// </remarks>
    public async Task<IReadOnlyList<DiscoveredTest>?> RunWholeAsync(
        IReadOnlyList<KeyValuePair<string, string>> variables, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var whole = new TestBatchArguments([.. arguments], null, Unfiltered: true);
        var (run, lines) = await Task.Run(
                () => RunAppAsync(ResultFile(1), whole, variables, cancellationToken), cancellationToken)
            .ConfigureAwait(false);
        _kept.Keep(variables, run, clock.Elapsed.TotalMilliseconds);
        var tests = lines.Tests(launch.TestApp) ?? [];
        _listed = tests.Select(test => test.Id).ToHashSet(StringComparer.Ordinal);
        return tests;
    }

    /// <inheritdoc />
    public async Task<TestBatchRun> RunAsync(
        TestBatch batch, IReadOnlyList<KeyValuePair<string, string>> variables, CancellationToken cancellationToken)
    {
        var (run, resultFile) = Arguments(batch.Index, batch.Tests);
        if (run.Unfiltered)
        {
            log.Say(
                $"BatchBuild {launch.Project}: test batch {batch.Index} holds every listed test: "
                + "the app runs them without --filter-uid",
                important: false);
            if (_kept.Take(variables) is (var kept, var millis))
            {
                return await KeepListedAsync(kept, millis, batch, variables, cancellationToken).ConfigureAwait(false);
            }
        }

        return (await RunAppAsync(resultFile, run, variables, cancellationToken).ConfigureAwait(false)).Run;
    }

    // The arguments of a run of `tests` as test batch `index`, and the file its results go to (its
    // response file, when it needs one, is beside it).
    private (TestBatchArguments Run, string ResultFile) Arguments(int index, IEnumerable<SelectableTest> tests)
    {
        var resultFile = ResultFile(index);
        var run = TestAppArguments.ForTestBatch(
            arguments,
            [.. tests.Select(test => test.Id)],
            Path.ChangeExtension(resultFile, ".rsp"),
            listed: _listed);
        return (run, resultFile);
    }

    private string ResultFile(int index) =>
        Path.Combine(workFolder, $"test-batch-{index}-{Interlocked.Increment(ref _runs)}.jsonl");

    // The run of the whole app made before the plan, as the test batch of every listed test: the
    // results of listed tests only, and, when it went well, a run now of the listed tests it did not
    // report (an explicit test, which the app runs only when asked by uid).
    private async Task<TestBatchRun> KeepListedAsync(
        TestBatchRun kept,
        double keptMillis,
        TestBatch batch,
        IReadOnlyList<KeyValuePair<string, string>> variables,
        CancellationToken cancellationToken)
    {
        var run = kept with
        {
            Results = [.. kept.Results.Where(result => _listed!.Contains(result.TestId))],
            AheadMillis = keptMillis,
        };
        var reported = run.Results.Select(result => result.TestId).ToHashSet(StringComparer.Ordinal);
        var missing = batch.Tests.Where(test => !reported.Contains(test.Id)).ToList();
        if (run.Failed || missing.Count == 0)
        {
            return run;
        }

        log.Say(
            $"BatchBuild {launch.Project}: {missing.Count} tests the run of the whole app did not report "
            + "run by their uids",
            important: false);
        var (again, resultFile) = Arguments(batch.Index, missing);
        var (rest, _) = await RunAppAsync(resultFile, again, variables, cancellationToken).ConfigureAwait(false);
        return rest with { Results = [.. run.Results, .. rest.Results], FirstTestMillis = run.FirstTestMillis };
    }

    // One run of the app with a test batch's arguments, its reporter writing to `resultFile`, and
    // the lines the reporter wrote.
    private async Task<(TestBatchRun Run, ResultLines Lines)> RunAppAsync(
        string resultFile,
        TestBatchArguments run,
        IReadOnlyList<KeyValuePair<string, string>> variables,
        CancellationToken cancellationToken)
    {
        var responseFile = Path.ChangeExtension(resultFile, ".rsp");
        var start = new ProcessStartInfo(command)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (run.ResponseFileText is { } text)
        {
            await File.WriteAllTextAsync(responseFile, text, cancellationToken).ConfigureAwait(false);
        }

        foreach (var argument in run.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in variables)
        {
            start.Environment[name] = value;
        }

        start.Environment[TestAppEnvironment.ResultFileVariable] = resultFile;
        var output = new StringBuilder();
        void Keep(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                if (output.Length < LogLimit)
                {
                    output.AppendLine(line);
                }
            }
        }

        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        var clock = Stopwatch.StartNew();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var lines = new ResultLines();
        using var reader = new ResultFileReader(resultFile);
        var limits = new TestBatchLimits(timeouts.TestBatchTimeoutMillis, timeouts.TestOutputTimeoutMillis);
        double? lastTest = null;
        TimeLimitKind? timedOut = null;
        using (cancellationToken.Register(() => Kill(process)))
        {
            while (!process.WaitForExit(PollInterval))
            {
                var now = clock.Elapsed.TotalMilliseconds;
                if (reader.ReadNew(lines, now))
                {
                    lastTest = now;
                }

                timedOut = limits.PassedAt(now, lastTest);
                if (timedOut is not null)
                {
                    Kill(process);
                    await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                    break;
                }
            }
        }

        // Wait for the output to be read to its end.
        process.WaitForExit();
        var end = clock.Elapsed.TotalMilliseconds;
        reader.ReadNew(lines, end);
        cancellationToken.ThrowIfCancellationRequested();
        // A run that wrote no results at all never reached its first test, whatever its exit code.
        var silent = !File.Exists(resultFile);
        var failed = timedOut is not null || silent || !Completed.Contains(process.ExitCode);
        var noResults = silent
            ? "; the app wrote no results for BatchBuild: it stopped before its first test"
            : string.Empty;
        var said = $"exit code {process.ExitCode}{noResults}{Environment.NewLine}{output}";
        var result = new TestBatchRun(
            lines.Results, failed, lines.RunningAt(end), timedOut, failed ? said : string.Empty, lines.FirstTestMillis);
        return (result, lines);
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It has ended.
        }
    }
}
