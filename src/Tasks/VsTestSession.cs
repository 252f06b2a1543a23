using System.Collections.Concurrent;
using BatchBuild.Adapter;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Running;
using Microsoft.TestPlatform.VsTestConsole.TranslationLayer;
using Microsoft.TestPlatform.VsTestConsole.TranslationLayer.Interfaces;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Client;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Logging;

namespace BatchBuild.Tasks;

/// <summary>What one discovery found, and what vstest said while it ran.</summary>
internal sealed record Discovery(IReadOnlyList<TestCase> TestCases, bool Aborted, string Log);

/// <summary>What one test batch's run reported.</summary>
/// <param name="Results">Every test result, in the order reported.</param>
/// <param name="Failed">Whether the run itself failed: its test host crashed, or it was aborted or cancelled.</param>
/// <param name="Attachments">The attachments of the run (data collectors' files), each file once, as an absolute URI.</param>
/// <param name="Log">What vstest said: warnings, errors and the test host's error output.</param>
/// <param name="Collectors">The data collectors that took part, for the post-processing of their attachments.</param>
internal sealed record TestBatchRun(IReadOnlyList<TestResult> Results, bool Failed, IReadOnlyList<AttachmentSet> Attachments, IReadOnlyList<HandoffCollector> Collectors, string Log)
{
    /// <summary>The results as BatchBuild reads them.</summary>
    public IReadOnlyList<TestCaseResult> CaseResults { get; } =
    [
        .. Results.Select(result => new TestCaseResult(
            result.TestCase.Id.ToString(),
            result.DisplayName ?? result.TestCase.DisplayName,
            Outcomes.From(result.Outcome),
            result.Duration.TotalMilliseconds,
            result.ErrorMessage)),
    ];
}

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

    /// <summary>Runs exactly <paramref name="testCases"/> in a fresh test host.</summary>
    public TestBatchRun Run(IEnumerable<TestCase> testCases, string runSettings, CancellationToken cancellationToken)
    {
        var handler = new RunHandler();
        using (cancellationToken.Register(_console.CancelTestRun))
        {
            _console.RunTests(testCases, runSettings, new TestPlatformOptions(), handler);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return new TestBatchRun([.. handler.Results], handler.Failed, [.. handler.Attachments], [.. handler.Collectors], handler.Log.ToString());
    }

    /// <inheritdoc />
    public void Dispose() => _console.EndSession();

    private abstract class Handler : ITestMessageEventHandler
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

        public void HandleRawMessage(string rawMessage)
        {
        }
    }

    private sealed class DiscoveryHandler : Handler, ITestDiscoveryEventsHandler2
    {
        public ConcurrentQueue<TestCase> TestCases { get; } = new();

        public bool Aborted { get; private set; }

        public void HandleDiscoveredTests(IEnumerable<TestCase>? discoveredTestCases) => Add(discoveredTestCases);

        public void HandleDiscoveryComplete(DiscoveryCompleteEventArgs discoveryCompleteEventArgs, IEnumerable<TestCase>? lastChunk)
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
        public ConcurrentQueue<TestResult> Results { get; } = new();

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
                    var uri = attachment.Uri.IsAbsoluteUri ? attachment.Uri : new Uri(Path.GetFullPath(attachment.Uri.OriginalString));
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
                    collector.Uri.OriginalString, collector.FriendlyName, collector.AssemblyQualifiedName, collector.FilePath, collector.HasAttachmentProcessor));
            }

            Failed = testRunCompleteArgs.IsAborted || testRunCompleteArgs.IsCanceled || testRunCompleteArgs.Error is not null;
            if (testRunCompleteArgs.Error is { } error)
            {
                HandleLogMessage(TestMessageLevel.Error, error.Message);
            }
        }

        public int LaunchProcessWithDebuggerAttached(TestProcessStartInfo testProcessStartInfo) => -1;

        private void Add(TestRunChangedEventArgs? change)
        {
            foreach (var result in change?.NewTestResults ?? [])
            {
                Results.Enqueue(result);
            }
        }
    }
}
