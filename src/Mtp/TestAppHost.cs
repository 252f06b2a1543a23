using BatchBuild.Core.Running;
using System.Diagnostics;
using System.Text;
using BatchBuild.Core.Configuration;
using BatchBuild.Core.Planning;
using BatchBuild.Core.Testing;
using BatchBuild.Runner;

namespace BatchBuild.Mtp;

/// <summary>
/// Runs each test batch as a run of the test app of its own, with the arguments <c>dotnet test</c>
/// gave the app and <c>--filter-uid</c> naming the batch's tests: the run reports to
/// <c>dotnet test</c> as any run of the app does (the same execution ID makes it a further try of
/// the same app), and BatchBuild's reporter in the app writes each start and result to a file
/// BatchBuild reads as they come. A run that passes a time limit is killed with its process tree.
/// </summary>
internal sealed class TestAppHost(string command, IReadOnlyList<string> arguments, string workFolder, TimeoutSettings timeouts) : ITestBatchHost
{
    // Exit codes of a test app that ran its tests to the end: all passed, some failed, none ran.
    private static readonly int[] Completed = [0, 2, 8];

    /// <summary>The most of a run's own output the log keeps.</summary>
    internal const int LogLimit = 16_000;

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private int _runs;

    /// <inheritdoc />
    public string Name => "the test app";

    /// <inheritdoc />
    public async Task<HostRun> RunAsync(TestBatch batch, IReadOnlyList<KeyValuePair<string, string>> variables, CancellationToken cancellationToken)
    {
        var resultFile = Path.Combine(workFolder, $"test-batch-{batch.Index}-{Interlocked.Increment(ref _runs)}.jsonl");
        var start = new ProcessStartInfo(command)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var responseFile = Path.ChangeExtension(resultFile, ".rsp");
        var run = TestAppArguments.ForTestBatch(arguments, [.. batch.Tests.Select(test => test.Id)], responseFile);
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
        var log = $"exit code {process.ExitCode}{(silent ? "; the app wrote no results for BatchBuild: it stopped before its first test" : string.Empty)}{Environment.NewLine}{output}";
        return new HostRun(lines.Results, failed, lines.RunningAt(end), timedOut, failed ? log : string.Empty, FirstTestMillis: lines.FirstTestMillis);
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

/// <summary>Reads the lines a test host's reporter appends to its file, from where it left off.</summary>
internal sealed class ResultFileReader(string path) : IDisposable
{
    private FileStream? _file;
    private readonly StringBuilder _partial = new();
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();
    private readonly char[] _chars = new char[Encoding.UTF8.GetMaxCharCount(64 * 1024)];

    /// <summary>Reads the complete lines written since the last call into <paramref name="lines"/>; true when a test started or ended.</summary>
    public bool ReadNew(ResultLines lines, double nowMillis)
    {
        if (_file is null)
        {
            if (!File.Exists(path))
            {
                return false;
            }

            _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }

        var any = false;
        int read;
        while ((read = _file.Read(_buffer, 0, _buffer.Length)) > 0)
        {
            var count = _decoder.GetChars(_buffer, 0, read, _chars, 0);
            _partial.Append(_chars, 0, count);
            var text = _partial.ToString();
            var last = text.LastIndexOf('\n');
            if (last < 0)
            {
                continue;
            }

            foreach (var line in text[..last].Split('\n'))
            {
                any |= lines.Read(line, nowMillis);
            }

            _partial.Clear().Append(text, last + 1, text.Length - last - 1);
        }

        return any;
    }

    /// <inheritdoc />
    public void Dispose() => _file?.Dispose();
}
