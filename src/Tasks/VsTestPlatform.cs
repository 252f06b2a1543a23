using System.Collections.Concurrent;
using System.Diagnostics;
using BatchBuild.Core;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Configuration;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Planning;
using BatchBuild.Core.Running;
using BatchBuild.Runner;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;

namespace BatchBuild.Tasks;

/// <summary>
/// VSTest as the test platform of a project's run: discovers the tests once through a design-mode
/// vstest.console and runs each test batch's test cases, selected by ID, in a fresh test host, the
/// batch's variables in its runsettings; a test batch of every test discovered runs the assembly
/// instead, as a plain run does, and keeps exactly the planned tests' results. Every run's
/// results reach the user's loggers, hosted for the whole project, and its attachments go to the
/// post-processing step at the end. With
/// <c>--blame-hang</c>, vstest's blame collector takes the hang dump and kills a hanging host
/// itself: a run that failed after going that long without a result timed out all the same.
/// </summary>
/// <param name="project">The project's name, for the log.</param>
/// <param name="testAssembly">The test assembly.</param>
/// <param name="sessions">The project's vstest.console sessions, ended with the platform.</param>
/// <param name="runSettings">The project's runsettings, the command line's options in them.</param>
/// <param name="filter">The user's test case filter, or null.</param>
/// <param name="limits">The time limits at which BatchBuild kills a test host.</param>
/// <param name="timeouts">The configured time limits.</param>
/// <param name="blameHangMillis">The <c>--blame-hang</c> timeout, or null without it.</param>
/// <param name="loggers">The user's loggers.</param>
/// <param name="invocation">The <c>dotnet test</c> invocation the attachments are handed to.</param>
/// <param name="log">The project's log.</param>
internal sealed class VsTestPlatform(
    string project,
    string testAssembly,
    VsTestSessions sessions,
    string runSettings,
    string? filter,
    TestBatchLimits limits,
    TimeoutSettings timeouts,
    long? blameHangMillis,
    HostedLoggers loggers,
    VsTestModeInvocation invocation,
    IRunLog log) : ITestPlatform
{
    private readonly ConcurrentBag<VsTestRun> _runs = [];
    private IReadOnlyDictionary<string, IReadOnlyList<TestCase>> _testCases =
        new Dictionary<string, IReadOnlyList<TestCase>>();

    // The run of the whole assembly made before the plan, until its test batch takes it.
    private readonly KeptRun<VsTestRun> _kept = new();

    /// <inheritdoc />
    public string Name => "vstest";

    /// <inheritdoc />
    public async Task<IReadOnlyList<DiscoveredTest>?> DiscoverAsync(CancellationToken cancellationToken)
    {
        var discovery = await sessions
            .UseAsync(session => session.Discover(testAssembly, runSettings, filter, cancellationToken))
            .ConfigureAwait(false);
        if (discovery.Aborted || (discovery.TestCases.Count == 0 && discovery.Log.Length > 0))
        {
            log.Report(new Diagnostic(
                DiagnosticCodes.DiscoveryFailed,
                DiagnosticSeverity.Error,
                null,
                $"discovering the tests of {project} failed; "
                + $"vstest said:{Environment.NewLine}{discovery.Log.TrimEnd()}",
                testAssembly));
            return null;
        }

        if (discovery.Log.Length > 0)
        {
            log.Say($"BatchBuild {project}: discovery: {discovery.Log.TrimEnd()}");
        }

        var testCases = discovery.TestCases;
        if (filter is not null)
        {
            if (CaseFilter.Parse(filter, out var error) is not { } parsed)
            {
                log.Report(new Diagnostic(
                    DiagnosticCodes.DiscoveryFailed,
                    DiagnosticSeverity.Error,
                    null,
                    $"the test case filter '{filter}' is not valid: {error}",
                    testAssembly));
                return null;
            }

            testCases = [.. testCases.Where(parsed.Matches)];
        }

        var suite = DiscoveredSuite.From(testAssembly, testCases);
        _testCases = suite.ById;
        return suite.Tests;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<DiscoveredTest>?> RunWholeAsync(
        IReadOnlyList<KeyValuePair<string, string>> variables, CancellationToken cancellationToken)
    {
        // Under a user's filter a run of the whole assembly may run tests outside it (see IsWholeSuite).
        if (filter is not null)
        {
            return null;
        }

        var clock = Stopwatch.StartNew();
        var run = await RunSourceAsync(variables, cancellationToken).ConfigureAwait(false);
        var suite = DiscoveredSuite.From(
            testAssembly,
            run.Results.Select(result => result.TestCase).DistinctBy(testCase => testCase.Id));
        _testCases = suite.ById;
        _kept.Keep(variables, run, clock.Elapsed.TotalMilliseconds);
        return suite.Tests;
    }

    /// <inheritdoc />
    public async Task<TestBatchRun> RunAsync(
        TestBatch batch, IReadOnlyList<KeyValuePair<string, string>> variables, CancellationToken cancellationToken)
    {
        var planned = batch.Tests.Select(test => test.Id).ToHashSet(StringComparer.Ordinal);
        var batchSettings = VsTestRunSettings.ForTestBatch(runSettings, variables);
        VsTestRun run;
        double aheadMillis = 0;
        if (IsWholeSuite(planned))
        {
            VsTestRun whole;
            if (_kept.Take(variables) is (var kept, var millis))
            {
                (whole, aheadMillis) = (kept, millis);
            }
            else
            {
                whole = await RunSourceAsync(variables, cancellationToken).ConfigureAwait(false);
            }

            run = await KeepPlannedAsync(whole, batch, planned, batchSettings, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            run = await sessions
                .UseAsync(session => session.Run(CasesOf(batch.Tests), batchSettings, limits, cancellationToken))
                .ConfigureAwait(false);
        }

        if (run.TimedOut is null && run.Failed && blameHangMillis is { } hang
            && run.SilentMillis >= Math.Min(hang, timeouts.TestOutputTimeoutMillis))
        {
            run = run with { TimedOut = TimeLimitKind.TestOutput };
        }

        _runs.Add(run);
        loggers.Add(run);
        return new TestBatchRun(
            run.CaseResults,
            run.Failed,
            run.Running,
            run.TimedOut,
            run.Log,
            run.FirstResultMillis,
            run.FirstResultDurationMillis,
            aheadMillis);
    }

    // Runs the whole assembly, as a plain run does, its test host seeing `variables`.
    private Task<VsTestRun> RunSourceAsync(
        IReadOnlyList<KeyValuePair<string, string>> variables, CancellationToken cancellationToken)
    {
        var wholeSettings = VsTestRunSettings.ForTestBatch(runSettings, variables, wholeAssembly: true);
        return sessions.UseAsync(session => session.RunSource(testAssembly, wholeSettings, limits, cancellationToken));
    }

    private IEnumerable<TestCase> CasesOf(IEnumerable<SelectableTest> tests) =>
        tests.SelectMany(test => _testCases[test.Id]);

    // Whether a test batch holds every test discovery found: then it can run the assembly as a
    // plain run does, without a list of test cases for the adapter to match. Not under a user's
    // filter: an adapter need not apply a filter to a run of a whole assembly as BatchBuild does
    // to discovery's list (a test outside the filter would run, if its result were dropped).
    private bool IsWholeSuite(HashSet<string> planned) =>
        filter is null && planned.Count == _testCases.Count && _testCases.Keys.All(planned.Contains);

    // Keeps the results of the planned tests only, of a run of the whole assembly: a test the
    // adapter names differently on each run (random arguments) is not the one discovery found. A
    // planned test the run did not report, when the run itself went well (an explicit test the
    // adapter runs only when asked by name), runs at once by its test cases, so that the run of the
    // whole assembly selects exactly what a list would.
    private async Task<VsTestRun> KeepPlannedAsync(
        VsTestRun run,
        TestBatch batch,
        HashSet<string> planned,
        string listSettings,
        CancellationToken cancellationToken)
    {
        var kept = run.Results.Where(result => planned.Contains(result.TestCase.Id.ToString())).ToList();
        if (kept.Count < run.Results.Count)
        {
            log.Say(
                $"BatchBuild {project}: {run.Results.Count - kept.Count} results of the run of the whole assembly "
                + "are of tests discovery did not find: they are not kept",
                important: false);
        }

        run = run with { Results = kept };
        if (run.Failed || run.TimedOut is not null)
        {
            return run;
        }

        var reported = run.Results.Select(result => result.TestCase.Id.ToString()).ToHashSet(StringComparer.Ordinal);
        var missing = batch.Tests.Where(test => !reported.Contains(test.Id)).ToList();
        if (missing.Count == 0)
        {
            return run;
        }

        log.Say(
            $"BatchBuild {project}: {missing.Count} tests the run of the whole assembly did not report "
            + "run by their test cases",
            important: false);
        var rest = await sessions
            .UseAsync(session => session.Run(CasesOf(missing), listSettings, limits, cancellationToken))
            .ConfigureAwait(false);
        return rest with
        {
            Results = [.. run.Results, .. rest.Results],
            Attachments = [.. run.Attachments, .. rest.Attachments],
            Collectors = [.. run.Collectors, .. rest.Collectors],
            Log = run.Log + rest.Log,
            FirstResultMillis = run.FirstResultMillis,
            FirstResultDurationMillis = run.FirstResultDurationMillis,
        };
    }

    /// <inheritdoc />
    public void Finish(TimeSpan elapsed)
    {
        loggers.Complete(elapsed);
        HandOverAttachments();
    }

    /// <inheritdoc />
    public void Dispose() => sessions.Dispose();

    // The attachments of the test batches (code coverage, dumps) go to the post-processing step,
    // which merges them across projects and lists them, as after a plain run; outside dotnet test
    // they are listed here.
    private void HandOverAttachments()
    {
        var attachments = _runs.SelectMany(run => run.Attachments)
            .Where(set => set.Attachments.Count > 0)
            .GroupBy(set => set.Uri.OriginalString, StringComparer.Ordinal)
            .Select(sets => new HandoffAttachments(
                sets.Key,
                sets.First().DisplayName,
                [.. sets.SelectMany(set => set.Attachments).Select(attachment => attachment.Uri.LocalPath)]))
            .ToList();
        if (attachments.Count == 0)
        {
            return;
        }

        var collectors = _runs.SelectMany(run => run.Collectors)
            .DistinctBy(collector => collector.Uri, StringComparer.Ordinal)
            .ToList();
        if (!invocation.HandOver(attachments, collectors))
        {
            var files = string.Join(Environment.NewLine + "  ", attachments.SelectMany(set => set.Files));
            log.Say($"BatchBuild {project}: attachments:{Environment.NewLine}  {files}");
        }
    }
}
