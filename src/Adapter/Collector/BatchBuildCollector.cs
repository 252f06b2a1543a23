using System.Collections.Concurrent;
using System.Diagnostics;
using System.Xml;
using System.Xml.Linq;
using BatchBuild.Adapter;
using BatchBuild.Client;
using BatchBuild.Core;
using BatchBuild.Core.Running;
using BatchBuild.Core.Store;
using BatchBuild.Lifecycle;
using BatchBuild.Store;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.DataCollection;

namespace BatchBuild.Collector;

/// <summary>
/// The BatchBuild data collector, for runs BatchBuild did not plan: gives every test the batch
/// ID through environment variables, records each test's outcome and duration in the store, and
/// attaches the results. Enabled with <c>--collect BatchBuild</c> or a
/// <c>&lt;DataCollector friendlyName="BatchBuild"&gt;</c> runsettings entry.
/// </summary>
[DataCollectorFriendlyName(FriendlyName)]
[DataCollectorTypeUri("datacollector://BatchBuild/1.0")]
public sealed class BatchBuildCollector : DataCollector, ITestExecutionEnvironmentSpecifier
{
    /// <summary>The name the collector is enabled by.</summary>
    public const string FriendlyName = "BatchBuild";

    private readonly Func<string, string?> _environment;
    private readonly ConcurrentDictionary<Guid, long> _started = new();
    private DataCollectionLogger? _logger;
    private DataCollectionSink? _sink;
    private DataCollectionEnvironmentContext? _context;
    private RecorderSettings? _settings;
    private TestBatchRecorder? _recorder;
    private HttpClient? _http;

    /// <summary>Creates the collector as VSTest does.</summary>
    public BatchBuildCollector()
        : this(Environment.GetEnvironmentVariable)
    {
    }

    internal BatchBuildCollector(Func<string, string?> environment) => _environment = environment;

    /// <inheritdoc />
    public override void Initialize(
        XmlElement? configurationElement,
        DataCollectionEvents events,
        DataCollectionSink dataSink,
        DataCollectionLogger logger,
        DataCollectionEnvironmentContext? environmentContext)
    {
        NativeLibraryResolver.Install(typeof(BatchBuildCollector).Assembly);
        _logger = logger;
        _sink = dataSink;
        _context = environmentContext;

        var configuration = configurationElement is null
            ? new XElement("Configuration")
            : XElement.Parse(configurationElement.OuterXml);
        var (settings, lifecycle, diagnostics) = CollectorRun.Read(
            configuration,
            _environment,
            Environment.CurrentDirectory);
        _settings = settings;
        _http = lifecycle.ServerUrl is null ? null : Http.CreateClient(lifecycle.Proxy);
        _recorder = new TestBatchRecorder(
            settings,
            Environment.MachineName,
            () => DateTimeOffset.UtcNow,
            () => ResultStores.Open(lifecycle, settings.StorePath!, _http, Report));
        foreach (var diagnostic in diagnostics)
        {
            Report(diagnostic);
        }

        events.TestCaseStart += (_, e) => _started[e.TestElement!.Id] = Stopwatch.GetTimestamp();
        events.TestCaseEnd += OnTestCaseEnd;
        events.SessionEnd += (_, _) => Finish();
    }

    /// <inheritdoc />
    public IEnumerable<KeyValuePair<string, string>> GetTestExecutionEnvironmentVariables() =>
        _settings?.EnvironmentVariables ?? [];

    private void OnTestCaseEnd(object? sender, TestCaseEndEventArgs e)
    {
        var test = e.TestElement!;
        var duration = _started.TryRemove(test.Id, out var start)
            ? Stopwatch.GetElapsedTime(start).TotalMilliseconds
            : 0;
        _recorder!.Add(
            test.Source,
            new TestBatchResult(test.FullyQualifiedName, test.DisplayName, Outcomes.From(e.TestOutcome), duration));
    }

    private void Finish()
    {
        var (file, warning) = _recorder!.Finish();
        _http?.Dispose();
        if (warning is not null)
        {
            Report(warning);
        }

        if (_context is not null)
        {
            _sink?.SendFileAsync(
                _context.SessionDataCollectionContext,
                file,
                deleteFile: _settings?.ResultFile is null);
        }
    }

    // The collector's one sink: its log takes errors and warnings only, so information goes to
    // VSTest's diagnostic trace (--diag) instead of showing as a warning.
    private void Report(Diagnostic diagnostic)
    {
        if (diagnostic.Severity == DiagnosticSeverity.Information)
        {
            EqtTrace.Info($"BatchBuild: {diagnostic}");
        }
        else if (_logger is not null && _context is not null)
        {
            if (diagnostic.Severity == DiagnosticSeverity.Error)
            {
                _logger.LogError(_context.SessionDataCollectionContext, diagnostic.ToString());
            }
            else
            {
                _logger.LogWarning(_context.SessionDataCollectionContext, diagnostic.ToString());
            }
        }
    }
}
