using BatchBuild.Core.Configuration;
using BatchBuild.Core.Planning;
using BatchBuild.Core.Running;
using BatchBuild.Runner;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;

namespace BatchBuild.Tasks;

/// <summary>
/// Runs test batches in the project's vstest.console sessions, each in a fresh test host, the
/// batch's variables in its runsettings. With <c>--blame-hang</c>, vstest's blame collector takes
/// the hang dump and kills a hanging host itself: a run that failed after going that long without
/// a result timed out all the same.
/// </summary>
internal sealed class VsTestHost(
    VsTestSessions sessions,
    string projectRunSettings,
    TestBatchLimits limits,
    TimeoutSettings timeouts,
    IReadOnlyDictionary<string, IReadOnlyList<TestCase>> testCases,
    long? blameHangMillis) : ITestBatchHost
{
    /// <inheritdoc />
    public string Name => "vstest";

    /// <inheritdoc />
    public async Task<HostRun> RunAsync(TestBatch batch, IReadOnlyList<KeyValuePair<string, string>> variables, CancellationToken cancellationToken)
    {
        var runSettings = VsTestRunSettings.ForTestBatch(projectRunSettings, variables);
        var run = await sessions.UseAsync(session => session.Run(batch.Tests.SelectMany(test => testCases[test.Id]), runSettings, limits, cancellationToken)).ConfigureAwait(false);
        if (run.TimedOut is null && run.Failed && blameHangMillis is { } hang && run.SilentMillis >= Math.Min(hang, timeouts.TestOutputTimeoutMillis))
        {
            run = run with { TimedOut = TimeLimitKind.TestOutput };
        }

        return new HostRun(run.CaseResults, run.Failed, run.Running, run.TimedOut, run.Log, run);
    }
}

/// <summary>A runner's progress in the build log.</summary>
internal sealed class BuildLog(TaskLoggingHelper log) : IRunLog
{
    /// <inheritdoc />
    public void Say(string text, bool important = true) => log.LogMessage(important ? MessageImportance.High : MessageImportance.Normal, text);

    /// <inheritdoc />
    public void Report(Core.Diagnostic diagnostic) => log.Report(diagnostic);
}
