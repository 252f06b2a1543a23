using System.Collections.Concurrent;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Running;
using Microsoft.TestPlatform.VsTestConsole.TranslationLayer;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Client;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Logging;

namespace BatchBuild.Tasks;

/// <summary>
/// One vstest.console in design mode, driven through the translation layer: started once, it
/// discovers test assemblies and runs lists of test cases, each run in a fresh test host, without
/// a process start of its own. Not safe for two calls at once: each worker has its own.
/// </summary>
internal sealed class VsTestSession : IDisposable
{
    private readonly VsTestConsoleWrapper _console;

    private VsTestSession(VsTestConsoleWrapper console) => _console = console;

    /// <summary>
    /// Starts the vstest.console at <paramref name="consolePath"/>; with <paramref name="diagnosticLog"/>,
    /// it and the test hosts it starts write their diagnostic logs there (<c>--diag</c>).
    /// </summary>
    public static VsTestSession Start(string consolePath, string? diagnosticLog = null)
    {
        var parameters = new ConsoleParameters();
        if (diagnosticLog is not null)
        {
            parameters.LogFilePath = diagnosticLog;
        }

        var console = new VsTestConsoleWrapper(consolePath, parameters);
        console.StartSession();
        return new VsTestSession(console);
    }

    /// <summary>Discovers the test cases of <paramref name="source"/> that pass <paramref name="filter"/>.</summary>
    public Discovery Discover(string source, string runSettings, string? filter, CancellationToken cancellationToken)
    {
        var handler = new DiscoveryHandler();
        using (cancellationToken.Register(_console.CancelDiscovery))
        {
            _console.DiscoverTests([source], runSettings, new TestPlatformOptions { TestCaseFilter = filter }, handler);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return new Discovery([.. handler.TestCases], handler.Aborted, handler.Log.ToString());
    }

    /// <summary>
    /// Runs exactly <paramref name="testCases"/> in a fresh test host, which BatchBuild starts
    /// itself so that it can kill it when one of <paramref name="limits"/> passes: the test batch
    /// has run too long, or gone too long without a test result.
    /// </summary>
    public VsTestRun Run(
        IEnumerable<TestCase> testCases,
        string runSettings,
        TestBatchLimits limits,
        CancellationToken cancellationToken) =>
        RunWith(
            (handler, host) => _console.RunTestsWithCustomTestHost(
                testCases, runSettings, new TestPlatformOptions(), handler, host),
            limits,
            cancellationToken);

    /// <summary>
    /// Runs every test of <paramref name="source"/>, as a plain run without a filter does, in a
    /// fresh test host that BatchBuild starts, as <see cref="Run"/> does. The adapter is handed no
    /// list of test cases: for it, a list of thousands is a filter of thousands of names, matched
    /// against every test before the first one runs.
    /// </summary>
    public VsTestRun RunSource(
        string source,
        string runSettings,
        TestBatchLimits limits,
        CancellationToken cancellationToken) =>
        RunWith(
            (handler, host) => _console.RunTestsWithCustomTestHost([source], runSettings, handler, host),
            limits,
            cancellationToken);

    private VsTestRun RunWith(
        Action<ITestRunEventsHandler, TestHostLauncher> runTests,
        TestBatchLimits limits,
        CancellationToken cancellationToken)
    {
        var handler = new RunHandler();
        using var host = new TestHostLauncher(handler);
        var started = Environment.TickCount64;
        using var watchdog = new Timer(
            _ =>
            {
                var lastTest = Interlocked.Read(ref handler.LastTestTick);
                var kind = limits.PassedAt(
                    Environment.TickCount64 - started,
                    lastTest == RunHandler.NoTest ? null : lastTest - started);
                if (kind is not null && handler.TimeOut(kind.Value))
                {
                    host.Kill();
                }
            },
            null,
            WatchdogPeriod,
            WatchdogPeriod);
        Interlocked.Exchange(ref handler.LastResultTick, started);
        using (cancellationToken.Register(_console.CancelTestRun))
        {
            runTests(handler, host);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return new VsTestRun(
            [.. handler.Results],
            handler.Failed,
            [.. handler.Attachments],
            [.. handler.Collectors],
            handler.Log.ToString(),
            handler.Running,
            handler.TimedOut,
            Environment.TickCount64 - Interlocked.Read(ref handler.LastResultTick))
        {
            FirstResultMillis = handler.FirstResult is { } first ? first.Tick - started : null,
            FirstResultDurationMillis = handler.FirstResult?.DurationMillis,
        };
    }

    private static readonly TimeSpan WatchdogPeriod = TimeSpan.FromMilliseconds(250);

    /// <inheritdoc />
    public void Dispose() => _console.EndSession();

    private abstract class Handler : ITestMessageEventHandler, TestHostLauncher.ILog
    {
        public System.Text.StringBuilder Log { get; } = new();

        public void HandleLogMessage(TestMessageLevel level, string? message)
        {
            if (level != TestMessageLevel.Informational && !string.IsNullOrWhiteSpace(message))
            {
                lock (Log)
                {
                    Log.AppendLine(message.TrimEnd());
                }
            }
        }

        public void HostError(string line)
        {
            lock (Log)
            {
                Log.AppendLine(line.TrimEnd());
            }
        }

        public void HandleRawMessage(string rawMessage)
        {
        }
    }

    private sealed class DiscoveryHandler : Handler, ITestDiscoveryEventsHandler2
    {
        public ConcurrentQueue<TestCase> TestCases { get; } = new();

        public bool Aborted { get; private set; }

        public void HandleDiscoveredTests(IEnumerable<TestCase>? discoveredTestCases) => Add(discoveredTestCases);

        public void HandleDiscoveryComplete(
            DiscoveryCompleteEventArgs discoveryCompleteEventArgs,
            IEnumerable<TestCase>? lastChunk)
        {
            Add(lastChunk);
            Aborted = discoveryCompleteEventArgs.IsAborted;
        }

        private void Add(IEnumerable<TestCase>? testCases)
        {
            foreach (var testCase in testCases ?? [])
            {
                TestCases.Enqueue(testCase);
            }
        }
    }

    private sealed class RunHandler : Handler, ITestRunEventsHandler
    {
        // The tests that started and have not reported, by ID: vstest reports the tests started
        // since its last report with each report (one report per start and per result, as the
        // project's runsettings ask: RunConfiguration/BatchSize 1).
        private readonly Dictionary<Guid, (int Count, long StartTick)> _running = [];
        private int _timedOut = -1;

        /// <summary>What <see cref="LastTestTick"/> holds until the run hears of its first test.</summary>
        public const long NoTest = long.MinValue;

        /// <summary>When the last test result came, in <see cref="Environment.TickCount64"/> time.</summary>
        public long LastResultTick;

        /// <summary>
        /// When the run last heard of a test, in <see cref="Environment.TickCount64"/> time: its
        /// first test's start, then each result. Later starts do not count, since vstest may
        /// report a running test again with a later change.
        /// </summary>
        public long LastTestTick = NoTest;

        public ConcurrentQueue<TestResult> Results { get; } = new();

        /// <summary>
        /// When the first result came, in <see cref="Environment.TickCount64"/> time, and how long
        /// its test took by its own account; null before it came.
        /// </summary>
        public (long Tick, double DurationMillis)? FirstResult { get; private set; }

        // How long the running tests ran: until the test host was killed, if it was; then at least
        // as long as the run went without hearing of a test, since a test's start may be reported
        // late. The host's own start is no test's time: on a busy machine it takes seconds.
        public IReadOnlyDictionary<string, double> Running
        {
            get
            {
                var end = _killTick ?? Environment.TickCount64;
                var lastTest = Interlocked.Read(ref LastTestTick);
                var silent = _killTick is { } killed && lastTest != NoTest ? killed - lastTest : 0;
                lock (_running)
                {
                    return _running.Where(pair => pair.Value.Count > 0)
                        .ToDictionary(
                            pair => pair.Key.ToString(),
                            pair => (double)Math.Max(end - pair.Value.StartTick, silent),
                            StringComparer.Ordinal);
                }
            }
        }

        private long? _killTick;

        public TimeLimitKind? TimedOut => _timedOut < 0 ? null : (TimeLimitKind)_timedOut;

        /// <summary>Marks the run as timed out by <paramref name="kind"/>; false when it already was.</summary>
        public bool TimeOut(TimeLimitKind kind)
        {
            if (Interlocked.CompareExchange(ref _timedOut, (int)kind, -1) != -1)
            {
                return false;
            }

            _killTick = Environment.TickCount64;
            return true;
        }

        public ConcurrentQueue<AttachmentSet> Attachments { get; } = new();

        public ConcurrentQueue<HandoffCollector> Collectors { get; } = new();

        public bool Failed { get; private set; }

        public void HandleTestRunStatsChange(TestRunChangedEventArgs? testRunChangedArgs) => Add(testRunChangedArgs);

        public void HandleTestRunComplete(
            TestRunCompleteEventArgs testRunCompleteArgs,
            TestRunChangedEventArgs? lastChunkArgs,
            ICollection<AttachmentSet>? runContextAttachments,
            ICollection<string>? executorUris)
        {
            Add(lastChunkArgs);

            // vstest may report a run's attachments both ways: each file counts once. A path it
            // was sent as a bare path comes back as a relative URI, which loggers and the
            // post-processing step fail on: every file is made an absolute URI here, once.
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var set in (runContextAttachments ?? []).Concat(testRunCompleteArgs.AttachmentSets ?? []))
            {
                var fresh = new AttachmentSet(set.Uri, set.DisplayName);
                foreach (var attachment in set.Attachments.Where(attachment => seen.Add(attachment.Uri.OriginalString)))
                {
                    var uri = attachment.Uri.IsAbsoluteUri
                        ? attachment.Uri
                        : new Uri(Path.GetFullPath(attachment.Uri.OriginalString));
                    fresh.Attachments.Add(new UriDataAttachment(uri, attachment.Description));
                }

                if (fresh.Attachments.Count > 0)
                {
                    Attachments.Enqueue(fresh);
                }
            }

            foreach (var collector in testRunCompleteArgs.InvokedDataCollectors ?? [])
            {
                Collectors.Enqueue(new HandoffCollector(
                    collector.Uri.OriginalString,
                    collector.FriendlyName,
                    collector.AssemblyQualifiedName,
                    collector.FilePath,
                    collector.HasAttachmentProcessor));
            }

            Failed = testRunCompleteArgs.IsAborted
                || testRunCompleteArgs.IsCanceled
                || testRunCompleteArgs.Error is not null;
            if (testRunCompleteArgs.Error is { } error)
            {
                HandleLogMessage(TestMessageLevel.Error, error.Message);
            }
        }

        public int LaunchProcessWithDebuggerAttached(TestProcessStartInfo testProcessStartInfo) => -1;

        private void Add(TestRunChangedEventArgs? change)
        {
            lock (_running)
            {
                var now = Environment.TickCount64;
                foreach (var started in change?.ActiveTests ?? [])
                {
                    Interlocked.CompareExchange(ref LastTestTick, now, NoTest);
                    _running[started.Id] = _running.TryGetValue(started.Id, out var running) && running.Count > 0
                        ? (running.Count + 1, running.StartTick)
                        : (1, now);
                }

                foreach (var result in change?.NewTestResults ?? [])
                {
                    FirstResult ??= (now, result.Duration.TotalMilliseconds);
                    Results.Enqueue(result);
                    if (_running.TryGetValue(result.TestCase.Id, out var running))
                    {
                        _running[result.TestCase.Id] = (Math.Max(0, running.Count - 1), now);
                    }

                    Interlocked.Exchange(ref LastResultTick, now);
                    Interlocked.Exchange(ref LastTestTick, now);
                }
            }
        }
    }
}
