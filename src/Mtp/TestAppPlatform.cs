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
    /// Not here: the results the app writes for BatchBuild do not carry what its listing does (the
    /// test's class and traits), so the listing always comes first.
    /// </remarks>
    public Task<IReadOnlyList<DiscoveredTest>?> RunWholeAsync(
        IReadOnlyList<KeyValuePair<string, string>> variables, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<DiscoveredTest>?>(null);

    /// <inheritdoc />
    public async Task<TestBatchRun> RunAsync(
        TestBatch batch, IReadOnlyList<KeyValuePair<string, string>> variables, CancellationToken cancellationToken)
    {
        var resultFile = Path.Combine(workFolder, $"test-batch-{batch.Index}-{Interlocked.Increment(ref _runs)}.jsonl");
        var start = new ProcessStartInfo(command)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var responseFile = Path.ChangeExtension(resultFile, ".rsp");
        var run = TestAppArguments.ForTestBatch(
            arguments,
            [.. batch.Tests.Select(test => test.Id)],
            responseFile,
            listed: _listed);
        if (run.Unfiltered)
        {
            log.Say(
                $"BatchBuild {launch.Project}: test batch {batch.Index} holds every listed test: "
                + "the app runs them without --filter-uid",
                important: false);
        }

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
        return new TestBatchRun(
            lines.Results, failed, lines.RunningAt(end), timedOut, failed ? said : string.Empty, lines.FirstTestMillis);
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
