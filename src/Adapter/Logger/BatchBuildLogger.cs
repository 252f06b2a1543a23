using BatchBuild.Adapter;
using BatchBuild.Core;
using BatchBuild.Core.Running;
using BatchBuild.Core.Store;
using BatchBuild.Store;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Client;

namespace BatchBuild.TestLogger;

/// <summary>
/// Records the results of one test batch that BatchBuild planned: it runs inside vstest.console,
/// so a test batch costs no extra process. Each result's outcome, duration and error message go
/// to the store and to the test batch's results file, which the MSBuild task reads back.
/// Configured through <c>LoggerRunSettings</c> by the task; see <see cref="RecorderSettings"/>.
/// </summary>
[FriendlyName(FriendlyName)]
[ExtensionUri(ExtensionUri)]
public sealed class BatchBuildLogger : ITestLoggerWithParameters
{
    /// <summary>The logger's friendly name.</summary>
    public const string FriendlyName = "BatchBuild";

    /// <summary>The logger's URI.</summary>
    public const string ExtensionUri = "logger://BatchBuild/1.0";

    private TestBatchRecorder? _recorder;

    /// <inheritdoc />
    public void Initialize(TestLoggerEvents events, string testRunDirectory) =>
        throw new InvalidOperationException($"{DiagnosticCodes.LoggerNotConfigured}: the BatchBuild logger needs the configuration that BatchBuild's MSBuild task writes.");

    /// <inheritdoc />
    public void Initialize(TestLoggerEvents events, Dictionary<string, string?> parameters)
    {
        NativeLibraryResolver.Install(typeof(BatchBuildLogger).Assembly);
        var settings = RecorderSettings.FromParameters(parameters, out var problem)
            ?? throw new InvalidOperationException($"{DiagnosticCodes.LoggerNotConfigured}: the BatchBuild logger's configuration is not usable ({problem}); it is written by BatchBuild's MSBuild task, not by hand.");
        _recorder = new TestBatchRecorder(settings, Environment.MachineName, () => DateTimeOffset.UtcNow);
        events.TestResult += (_, e) => _recorder.Add(e.Result.TestCase.Source, new TestBatchResult(
            e.Result.TestCase.FullyQualifiedName,
            e.Result.DisplayName ?? e.Result.TestCase.DisplayName,
            Outcomes.From(e.Result.Outcome),
            e.Result.Duration.TotalMilliseconds,
            e.Result.ErrorMessage));
        events.TestRunComplete += (_, _) =>
        {
            var (_, warning) = _recorder.Finish();
            if (warning is not null)
            {
                Console.Error.WriteLine(warning.ToString());
            }
        };
    }
}
