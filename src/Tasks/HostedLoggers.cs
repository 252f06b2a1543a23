using System.Collections.ObjectModel;
using System.Reflection;
using System.Runtime.Loader;
using BatchBuild.Core;
using BatchBuild.Core.Running;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Client;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Logging;

namespace BatchBuild.Tasks;

/// <summary>
/// The user's test loggers, hosted by the task for the whole project: every test batch's results
/// reach the same logger instances, and one test run completes at the end, so a logger writes one
/// report per project holding every test, as after a plain run. A logger that vstest.console
/// hosted would see each test batch as a run of its own and write a report per test batch, each
/// overwriting the last under a fixed <c>LogFileName</c>.
/// </summary>
internal sealed class HostedLoggers
{
    private readonly Events _events = new();
    private readonly object _gate = new();
    private readonly List<AttachmentSet> _attachments = [];
    private long _executed;
    private readonly Dictionary<TestOutcome, long> _outcomes = [];
    private bool _aborted;

    private HostedLoggers()
    {
    }

    /// <summary>How many loggers are hosted.</summary>
    public int Count { get; private set; }

    /// <summary>
    /// Finds and starts the loggers <paramref name="requests"/> name, searching
    /// <paramref name="searchFolders"/> for <c>*TestLogger.dll</c> as vstest does. The console
    /// logger is left out: the task writes its own progress to the build log.
    /// </summary>
    public static HostedLoggers Start(
        IEnumerable<LoggerRequest> requests,
        IEnumerable<string> searchFolders,
        string resultsDirectory,
        string? targetFramework,
        Action<Diagnostic> report)
    {
        var hosted = new HostedLoggers();
        var wanted = requests
            .Where(request => !request.Name.Equals("console", StringComparison.OrdinalIgnoreCase))
            .ToList();
        if (wanted.Count == 0)
        {
            return hosted;
        }

        var candidates = searchFolders.Where(Directory.Exists).Distinct(StringComparer.Ordinal)
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*TestLogger.dll"))
            .DistinctBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .ToList();
        foreach (var request in wanted)
        {
            try
            {
                if (Find(request.Name, candidates) is not { } type)
                {
                    report(Diagnostic.Error(
                        DiagnosticCodes.LoggerUnavailable,
                        $"no test logger named '{request.Name}' was found beside the test assembly, "
                        + "in the test adapter paths or in the SDK's extensions; "
                        + "add the package that provides it to the test project, or fix the name given to --logger"));
                    continue;
                }

                var logger = Activator.CreateInstance(type)!;
                var parameters = new Dictionary<string, string?>(request.Parameters, StringComparer.OrdinalIgnoreCase)
                {
                    ["TestRunDirectory"] = resultsDirectory,
                };
                if (targetFramework is not null)
                {
                    parameters["TargetFramework"] = targetFramework;
                }

                if (logger is ITestLoggerWithParameters withParameters)
                {
                    withParameters.Initialize(hosted._events, parameters);
                }
                else
                {
                    ((ITestLogger)logger).Initialize(hosted._events, resultsDirectory);
                }

                hosted.Count++;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                report(Diagnostic.Error(
                    DiagnosticCodes.LoggerUnavailable,
                    $"the test logger '{request.Name}' failed to start ({e.GetType().Name}: {e.Message})"));
            }
        }

        return hosted;
    }

    /// <summary>Hands one test batch's results and attachments to every logger.</summary>
    public void Add(VsTestRun run)
    {
        if (Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            foreach (var result in run.Results)
            {
                _executed++;
                _outcomes[result.Outcome] = _outcomes.GetValueOrDefault(result.Outcome) + 1;
                _events.RaiseTestResult(new TestResultEventArgs(result));
            }

            _attachments.AddRange(run.Attachments);
            _aborted |= run.Failed;
        }
    }

    /// <summary>Completes the project's test run: the loggers write their reports.</summary>
    public void Complete(TimeSpan elapsed)
    {
        if (Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            _events.RaiseTestRunComplete(new TestRunCompleteEventArgs(
                new TestRunStatistics(_executed, _outcomes),
                isCanceled: false,
                isAborted: _aborted,
                error: null,
                new Collection<AttachmentSet>(_attachments),
                elapsed));
        }
    }

    private static Type? Find(string name, IEnumerable<string> assemblies)
    {
        foreach (var path in assemblies)
        {
            Type[] types;
            try
            {
                types = Load(path).GetExportedTypes();
            }
            catch (Exception e) when (e is BadImageFormatException
                or FileLoadException
                or ReflectionTypeLoadException
                or FileNotFoundException)
            {
                continue;
            }

            var match = types.FirstOrDefault(type =>
                typeof(ITestLogger).IsAssignableFrom(type) && !type.IsAbstract
                && (string.Equals(
                        type.GetCustomAttribute<FriendlyNameAttribute>()?.FriendlyName,
                        name,
                        StringComparison.OrdinalIgnoreCase)
                    || string.Equals(
                        type.GetCustomAttribute<ExtensionUriAttribute>()?.ExtensionUri,
                        name,
                        StringComparison.OrdinalIgnoreCase)));
            if (match is not null)
            {
                return match;
            }
        }

        return null;
    }

    private static readonly HashSet<string> ResolvedFolders = new(StringComparer.Ordinal);

    // A logger loads beside the test platform, with its own dependencies from its folder.
    private static Assembly Load(string path)
    {
        var folder = Path.GetDirectoryName(path)!;
        lock (ResolvedFolders)
        {
            if (ResolvedFolders.Add(folder))
            {
                AssemblyLoadContext.Default.Resolving += (context, name) =>
                    Path.Combine(folder, name.Name + ".dll") is var candidate && File.Exists(candidate)
                        ? context.LoadFromAssemblyPath(candidate)
                        : null;
            }
        }

        return AssemblyLoadContext.Default.LoadFromAssemblyPath(path);
    }

    // The events vstest raises to a logger, raised here one at a time.
    private sealed class Events : TestLoggerEvents
    {
        private EventHandler<TestResultEventArgs>? _testResult;
        private EventHandler<TestRunCompleteEventArgs>? _testRunComplete;

        public override event EventHandler<TestResultEventArgs>? TestResult
        {
            add => _testResult += value;
            remove => _testResult -= value;
        }

        public override event EventHandler<TestRunCompleteEventArgs>? TestRunComplete
        {
            add => _testRunComplete += value;
            remove => _testRunComplete -= value;
        }

        public override event EventHandler<TestRunMessageEventArgs>? TestRunMessage { add { } remove { } }

        public override event EventHandler<TestRunStartEventArgs>? TestRunStart { add { } remove { } }

        public override event EventHandler<DiscoveryStartEventArgs>? DiscoveryStart { add { } remove { } }

        public override event EventHandler<TestRunMessageEventArgs>? DiscoveryMessage { add { } remove { } }

        public override event EventHandler<DiscoveredTestsEventArgs>? DiscoveredTests { add { } remove { } }

        public override event EventHandler<DiscoveryCompleteEventArgs>? DiscoveryComplete { add { } remove { } }

        public void RaiseTestResult(TestResultEventArgs args) => _testResult?.Invoke(this, args);

        public void RaiseTestRunComplete(TestRunCompleteEventArgs args) => _testRunComplete?.Invoke(this, args);
    }
}
