using System.Collections.Concurrent;
using System.Diagnostics;
using System.Xml;
using System.Xml.Linq;
using BatchBuild.Core;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Configuration;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Store;
using BatchBuild.Store;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.DataCollection;

namespace BatchBuild.Collector;

/// <summary>
/// The BatchBuild data collector: gives every test the batch ID and its test batch through
/// environment variables, records each test's outcome and duration in the store, and attaches
/// the test batch's results. Enabled with <c>--collect BatchBuild</c> or a
/// <c>&lt;DataCollector friendlyName="BatchBuild"&gt;</c> runsettings entry.
/// </summary>
[DataCollectorFriendlyName(FriendlyName)]
[DataCollectorTypeUri("datacollector://BatchBuild/1.0")]
public sealed class BatchBuildCollector : DataCollector, ITestExecutionEnvironmentSpecifier
{
    /// <summary>The name the collector is enabled by.</summary>
    public const string FriendlyName = "BatchBuild";

    // Elements of <Configuration> that carry the state of a planned run, not settings.
    internal static readonly string[] RunStateElements = ["Framework", "TestBatch", "TestBatchCount", "ResultFile"];

    private readonly Func<string, string?> _environment;
    private readonly Func<DateTimeOffset> _clock;
    private readonly ConcurrentDictionary<Guid, long> _started = new();
    private readonly ConcurrentQueue<TestResultRecord> _results = new();
    private DataCollectionLogger? _logger;
    private DataCollectionSink? _sink;
    private DataCollectionEnvironmentContext? _context;
    private CollectorRun? _run;
    private string? _source;

    /// <summary>Creates the collector as VSTest does.</summary>
    public BatchBuildCollector()
        : this(Environment.GetEnvironmentVariable, () => DateTimeOffset.UtcNow)
    {
    }

    internal BatchBuildCollector(Func<string, string?> environment, Func<DateTimeOffset> clock)
    {
        _environment = environment;
        _clock = clock;
    }

    /// <inheritdoc />
    public override void Initialize(
        XmlElement? configurationElement,
        DataCollectionEvents events,
        DataCollectionSink dataSink,
        DataCollectionLogger logger,
        DataCollectionEnvironmentContext? environmentContext)
    {
        NativeLibraryResolver.Install();
        _logger = logger;
        _sink = dataSink;
        _context = environmentContext;

        var configuration = configurationElement is null ? new XElement("Configuration") : XElement.Parse(configurationElement.OuterXml);
        _run = CollectorRun.Read(configuration, _environment, Environment.CurrentDirectory);
        foreach (var diagnostic in _run.Diagnostics)
        {
            Report(diagnostic.ToString(), diagnostic.Severity == DiagnosticSeverity.Error);
        }

        events.TestCaseStart += (_, e) => _started[e.TestElement!.Id] = Stopwatch.GetTimestamp();
        events.TestCaseEnd += OnTestCaseEnd;
        events.SessionEnd += (_, _) => Finish();
    }

    /// <inheritdoc />
    public IEnumerable<KeyValuePair<string, string>> GetTestExecutionEnvironmentVariables() =>
        _run?.EnvironmentVariables() ?? [];

    private void OnTestCaseEnd(object? sender, TestCaseEndEventArgs e)
    {
        var test = e.TestElement!;
        var duration = _started.TryRemove(test.Id, out var start) ? Stopwatch.GetElapsedTime(start).TotalMilliseconds : 0;
        _results.Enqueue(new TestResultRecord(
            _run!.BatchId,
            _run.TestBatch,
            TestKey.For(test.Source, test.FullyQualifiedName),
            test.DisplayName,
            e.TestOutcome switch
            {
                TestOutcome.Passed => TestRunOutcome.Passed,
                TestOutcome.Failed => TestRunOutcome.Failed,
                TestOutcome.Skipped => TestRunOutcome.Skipped,
                _ => TestRunOutcome.None,
            },
            duration,
            _clock(),
            Environment.MachineName));
        _source ??= test.Source;
    }

    private void Finish()
    {
        var run = _run!;
        var results = _results.ToArray();
        string? recordError = null;
        if (results.Length > 0)
        {
            try
            {
                using var store = Stores.Open(run.StorePath);
                store.RecordResultsAsync(results).GetAwaiter().GetResult();
            }
            catch (Exception e)
            {
                // Never lose results for the store's sake: the results file still carries them.
                recordError = $"{DiagnosticCodes.StoreUnavailable}: {e.Message}";
                Report($"warning {recordError}", error: false);
            }
        }

        var file = run.ResultFile ?? Path.Combine(Path.GetTempPath(), $"batchbuild-{run.BatchId}-{run.TestBatch}-{Environment.ProcessId}.json");
        var document = new TestBatchResults(
            run.BatchId.Value,
            run.TestBatch,
            _source ?? string.Empty,
            Recorded: recordError is null,
            recordError,
            [.. results.Select(r => new TestBatchResult(r.Test.FullyQualifiedName, r.DisplayName, r.Outcome, r.DurationMillis))]);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        File.WriteAllText(file, document.ToJson());
        if (_context is not null)
        {
            _sink?.SendFileAsync(_context.SessionDataCollectionContext, file, deleteFile: run.ResultFile is null);
        }
    }

    private void Report(string message, bool error)
    {
        if (_logger is null || _context is null)
        {
            return;
        }

        if (error)
        {
            _logger.LogError(_context.SessionDataCollectionContext, message);
        }
        else
        {
            _logger.LogWarning(_context.SessionDataCollectionContext, message);
        }
    }
}
