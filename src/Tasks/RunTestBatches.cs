using BatchBuild.Core;
using BatchBuild.Core.Configuration;
using BatchBuild.Core.Running;
using BatchBuild.Runner;
using Microsoft.Build.Framework;
using MSBuildTask = Microsoft.Build.Utilities.Task;

namespace BatchBuild.Tasks;

/// <summary>
/// Runs one test project's tests as test batches on VSTest (see <see cref="VsTestPlatform"/>): the
/// MSBuild shell of <see cref="ProjectRun"/>, which does the work. The task translates its
/// parameters (those <c>dotnet test</c> passes to its VSTest task) and logs to the build log.
/// </summary>
public sealed class RunTestBatches : MSBuildTask, ICancelableTask
{
    private readonly CancellationTokenSource _cancel = new();

    /// <summary>The test assembly (<c>$(TargetPath)</c>).</summary>
    [Required]
    public string TestAssembly { get; set; } = string.Empty;

    /// <summary>The project's name, for the build log.</summary>
    [Required]
    public string ProjectName { get; set; } = string.Empty;

    /// <summary>The project folder: relative store paths are resolved from it.</summary>
    [Required]
    public string ProjectDirectory { get; set; } = string.Empty;

    /// <summary>
    /// The folder that holds the BatchBuild collectors (the close hand-off names the session
    /// collector's assembly there).
    /// </summary>
    [Required]
    public string ExtensionDirectory { get; set; } = string.Empty;

    /// <summary>Path of <c>vstest.console.dll</c> (<c>$(VSTestConsolePath)</c>).</summary>
    [Required]
    public string VSTestConsolePath { get; set; } = string.Empty;

    /// <summary>
    /// The BatchBuild MSBuild properties, each an item named after the property with its value in
    /// <c>Value</c>.
    /// </summary>
    public ITaskItem[] Settings { get; set; } = [];

    /// <summary>The store to use when no setting names one.</summary>
    [Required]
    public string DefaultStorePath { get; set; } = string.Empty;

    /// <summary>The user's runsettings file (<c>--settings</c>), if any.</summary>
    public string? RunSettingsFile { get; set; }

    /// <summary>The user's test case filter (<c>--filter</c>): it narrows the tests planned.</summary>
    public string? TestCaseFilter { get; set; }

    /// <summary>The user's loggers (<c>--logger</c>), passed to every run.</summary>
    public string[] Loggers { get; set; } = [];

    /// <summary>The user's data collectors (<c>--collect</c>), passed to every run.</summary>
    public string[] Collect { get; set; } = [];

    /// <summary>The user's test adapter paths (<c>--test-adapter-path</c>).</summary>
    public string[] TestAdapterPaths { get; set; } = [];

    /// <summary>
    /// <c>$(TraceDataCollectorDirectoryPath)</c>: where Microsoft.CodeCoverage puts the "Code
    /// Coverage" collector; a test adapter path, as the SDK's VSTest task makes it.
    /// </summary>
    public string? TraceDataCollectorDirectory { get; set; }

    /// <summary><c>--diag</c>: the diagnostic log of vstest.console and its test hosts.</summary>
    public string? DiagnosticLog { get; set; }

    /// <summary><c>--blame</c>.</summary>
    public bool Blame { get; set; }

    /// <summary><c>--blame-crash</c>.</summary>
    public bool BlameCrash { get; set; }

    /// <summary><c>--blame-crash-dump-type</c>.</summary>
    public string? BlameCrashDumpType { get; set; }

    /// <summary><c>--blame-crash-collect-always</c>.</summary>
    public bool BlameCrashCollectAlways { get; set; }

    /// <summary><c>--blame-hang</c>.</summary>
    public bool BlameHang { get; set; }

    /// <summary><c>--blame-hang-dump-type</c>.</summary>
    public string? BlameHangDumpType { get; set; }

    /// <summary><c>--blame-hang-timeout</c>.</summary>
    public string? BlameHangTimeout { get; set; }

    /// <summary>The results folder (<c>--results-directory</c>).</summary>
    public string? ResultsDirectory { get; set; }

    /// <summary>The target framework moniker of the test assembly.</summary>
    public string? TargetFrameworkMoniker { get; set; }

    /// <summary>Runsettings given on the command line after <c>--</c>, passed to every run.</summary>
    public string[] CommandLineRunSettings { get; set; } = [];

    /// <summary><c>$(VSTestSessionCorrelationId)</c>: shared by all projects of one <c>dotnet test</c>.</summary>
    public string? SessionId { get; set; }

    /// <summary>
    /// <c>$(VSTestArtifactsProcessingMode)</c>: <c>collect</c> under <c>dotnet test</c>, which then
    /// processes the attachments of all projects once, after the last one.
    /// </summary>
    public string? ArtifactsProcessingMode { get; set; }

    /// <summary>The batch ID the tests ran in.</summary>
    [Output]
    public string BatchId { get; set; } = string.Empty;

    /// <inheritdoc />
    public void Cancel() => _cancel.Cancel();

    /// <inheritdoc />
    public override bool Execute()
    {
        TestPlatformAssemblies.ResolveFrom(VSTestConsolePath);

        // Free the MSBuild node while test batches run, so that every test project of a solution
        // plans at once and competes for the shared worker slots, longest test batch first.
        var engine = BuildEngine as IBuildEngine3;
        engine?.Yield();
        try
        {
            return ExecuteAsync(_cancel.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            Log.Report(new Diagnostic(
                DiagnosticCodes.Cancelled,
                DiagnosticSeverity.Warning,
                null,
                "the test run was cancelled"));
            return false;
        }
        catch (TestPlatformException e)
        {
            Log.Report(new Diagnostic(
                DiagnosticCodes.TestPlatformFailed,
                DiagnosticSeverity.Error,
                null,
                $"{e.Message}; check that `dotnet vstest --help` runs with this SDK",
                TestAssembly));
            return false;
        }
        finally
        {
            engine?.Reacquire();
        }
    }

    private async Task<bool> ExecuteAsync(CancellationToken cancellationToken)
    {
        var log = new BuildLog(Log);
        var invocation = new VsTestModeInvocation(SessionId, ArtifactsProcessingMode, ExtensionDirectory, log);
        var options = new ProjectRunOptions(
            ProjectName,
            ProjectDirectory,
            TestAssembly,
            RunSettingsFile,
            TaskSettings.Properties(Settings),
            DefaultStorePath);
        var run = new ProjectRun(options, invocation, log);
        try
        {
            var result = await run.RunAsync(setup => Platform(setup, invocation, log), cancellationToken)
                .ConfigureAwait(false);
            return result.Status == ProjectRunStatus.Ran && !Log.HasLoggedErrors;
        }
        finally
        {
            BatchId = run.BatchId?.Value ?? string.Empty;
        }
    }

    // VSTest for the project's settings: its runsettings, sessions and the user's loggers; null
    // when the command line's runsettings are not valid.
    private VsTestPlatform? Platform(ProjectSetup setup, VsTestModeInvocation invocation, BuildLog log)
    {
        var timeouts = setup.Settings.Timeouts;
        if (ProjectRunSettings(setup.UserRunSettings, timeouts) is not { } runSettings)
        {
            return null;
        }

        var adapterFolders = TestAdapterPaths.Where(path => !string.IsNullOrWhiteSpace(path));
        var loggers = HostedLoggers.Start(
            VsTestRunSettings.Loggers(setup.UserRunSettings, Loggers),
            [
                Path.GetDirectoryName(Path.GetFullPath(TestAssembly))!,
                .. adapterFolders,
                Path.Combine(Path.GetDirectoryName(VSTestConsolePath)!, "Extensions"),
            ],
            ResultsFolder,
            NullIfEmpty(TargetFrameworkMoniker),
            Log.Report);
        var limits = new TestBatchLimits(
            timeouts.TestBatchTimeoutMillis + HangDumpGraceMillis,
            timeouts.TestOutputTimeoutMillis + HangDumpGraceMillis);
        return new VsTestPlatform(
            ProjectName,
            TestAssembly,
            new VsTestSessions(VSTestConsolePath, NullIfEmpty(DiagnosticLog), ProjectName),
            runSettings,
            VsTestRunSettings.DiscoveryFilter(setup.UserRunSettings, TestCaseFilter),
            limits,
            timeouts,
            BlameHangMillis,
            loggers,
            invocation,
            log);
    }

    // Where reports and attachments go: --results-directory, else TestResults in the project, as for a plain run.
    private string ResultsFolder => Path.GetFullPath(NullIfEmpty(ResultsDirectory) ?? "TestResults", ProjectDirectory);

    // Everything passed on the command line goes into the runsettings: a design-mode
    // vstest.console takes no arguments. --blame-hang without a timeout takes its dump when a
    // test has given no result for TestOutputTimeoutMillis.
    private string? ProjectRunSettings(string? userRunSettings, TimeoutSettings timeouts)
    {
        var hangTimeout = NullIfEmpty(BlameHangTimeout) ?? $"{timeouts.TestOutputTimeoutMillis}ms";
        var blame = new BlameOptions(
            BlameCrash,
            NullIfEmpty(BlameCrashDumpType),
            BlameCrashCollectAlways,
            BlameHang,
            NullIfEmpty(BlameHangDumpType),
            hangTimeout)
        {
            Enabled = Blame || BlameCrash || BlameHang,
        };
        var options = new VsTestOptions(
            ResultsFolder,
            NullIfEmpty(TargetFrameworkMoniker),
            Collect,
            blame,
            CommandLineRunSettings,
            [
                .. TestAdapterPaths
                    .Append(TraceDataCollectorDirectory)
                    .OfType<string>()
                    .Where(path => !string.IsNullOrWhiteSpace(path)),
            ]);
        try
        {
            BlameHangMillis = BlameHang ? VsTestRunSettings.Millis(hangTimeout) : null;
            return VsTestRunSettings.ForProject(userRunSettings, options);
        }
        catch (FormatException e)
        {
            Log.Report(Diagnostic.Error(DiagnosticCodes.InvalidCommandLineRunSetting, e.Message));
            return null;
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    // With --blame-hang, vstest's blame collector takes the hang dump at the time limit and kills
    // the test host itself; BatchBuild kills it this much later if it is still there.
    private long HangDumpGraceMillis => BlameHang ? 60_000 : 0;

    // The --blame-hang timeout in milliseconds, or null without --blame-hang.
    private long? BlameHangMillis { get; set; }
}
