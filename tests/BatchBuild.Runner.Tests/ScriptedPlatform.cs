using System.Collections.Concurrent;
using System.Collections.Immutable;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Planning;
using BatchBuild.Core.Running;

namespace BatchBuild.Runner.Tests;

/// <summary>
/// A test platform whose tests do what the test says: each test's outcome on its n-th run comes
/// from <see cref="Outcome"/>; a test named in <see cref="Crashes"/> kills its test host on its
/// first run. It records every test batch it ran, with the variables the host saw.
/// </summary>
internal sealed class ScriptedPlatform(string assembly, IEnumerable<string> tests) : ITestPlatform
{
    private readonly ConcurrentDictionary<string, int> _runsOf = new(StringComparer.Ordinal);

    public IReadOnlyList<DiscoveredTest>? Tests { get; init; } =
        [.. tests.Select(name => new DiscoveredTest(
            assembly,
            name,
            "Suite",
            name,
            ImmutableArray<TestTrait>.Empty,
            "id-" + name))];

    /// <summary>The outcome of a test on its run number (1 on its first run).</summary>
    public Func<string, int, TestRunOutcome> Outcome { get; init; } = (_, _) => TestRunOutcome.Passed;

    /// <summary>Tests that crash their test host on their first run.</summary>
    public IReadOnlySet<string> Crashes { get; init; } = new HashSet<string>();

    /// <summary>How long each run says it took to its first result.</summary>
    public double FirstTestMillis { get; init; } = 1;

    /// <summary>How long each test says it took.</summary>
    public double TestMillis { get; init; } = 1;

    public ConcurrentQueue<(TestBatch Batch, IReadOnlyDictionary<string, string> Variables)> Ran { get; } = new();

    public bool Finished { get; private set; }

    public bool Disposed { get; private set; }

    /// <summary>Whether it runs a whole project before its listing when asked.</summary>
    public bool RunsWhole { get; init; } = true;

    /// <summary>Which tests a run of the whole project reports (an explicit test is not among them).</summary>
    public Func<string, bool> ReportedWhenWhole { get; init; } = _ => true;

    /// <summary>How many times it listed the tests.</summary>
    public int Discoveries { get; private set; }

    /// <summary>How many runs of the whole project it made before a plan, and how many a test batch took.</summary>
    public (int Made, int Taken) WholeRuns { get; private set; }

    private (IReadOnlyList<KeyValuePair<string, string>> Variables, TestBatchRun Run)? _kept;

    public string Name => "the scripted platform";

    public Task<IReadOnlyList<DiscoveredTest>?> DiscoverAsync(CancellationToken cancellationToken)
    {
        Discoveries++;
        return Task.FromResult(Tests);
    }

    public Task<IReadOnlyList<DiscoveredTest>?> RunWholeAsync(
        IReadOnlyList<KeyValuePair<string, string>> variables, CancellationToken cancellationToken)
    {
        if (!RunsWhole || Tests is null)
        {
            return Task.FromResult<IReadOnlyList<DiscoveredTest>?>(null);
        }

        var reported = Tests.Where(test => ReportedWhenWhole(test.FullyQualifiedName)).ToList();
        var whole = new TestBatch(1, Tests[0].Source, [.. SelectableTest.From(reported)], 0, "whole");
        _kept = (variables, Run(whole) with { AheadMillis = FirstTestMillis + TestMillis * reported.Count });
        WholeRuns = WholeRuns with { Made = WholeRuns.Made + 1 };
        return Task.FromResult<IReadOnlyList<DiscoveredTest>?>(reported);
    }

    public Task<TestBatchRun> RunAsync(
        TestBatch batch, IReadOnlyList<KeyValuePair<string, string>> variables, CancellationToken cancellationToken)
    {
        Ran.Enqueue((batch, variables.ToDictionary(StringComparer.Ordinal)));
        if (_kept is var (keptVariables, kept) && keptVariables.SequenceEqual(variables)
            && batch.Tests.Length == Tests?.Count)
        {
            // As VSTest does: the results of the batch's tests, and the tests the run missed run now.
            _kept = null;
            WholeRuns = WholeRuns with { Taken = WholeRuns.Taken + 1 };
            var ids = batch.Tests.Select(test => test.Id).ToHashSet(StringComparer.Ordinal);
            var results = kept.Results.Where(result => ids.Contains(result.TestId)).ToList();
            var missing = batch.Tests.Where(test => !results.Any(result => result.TestId == test.Id)).ToList();
            var rest = missing.Count == 0 ? null : Run(batch with { Tests = [.. missing] });
            return Task.FromResult(kept with { Results = [.. results, .. rest?.Results ?? []] });
        }

        return Task.FromResult(Run(batch));
    }

    private TestBatchRun Run(TestBatch batch)
    {
        var results = new List<TestCaseResult>();
        var running = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var test in batch.Tests)
        {
            var name = test.FullyQualifiedName;
            var run = _runsOf.AddOrUpdate(name, 1, (_, count) => count + 1);
            if (run == 1 && Crashes.Contains(name))
            {
                running[test.Id] = 5;
                return new TestBatchRun(
                    results,
                    Failed: true,
                    running,
                    TimedOut: null,
                    "the test host crashed");
            }

            var outcome = Outcome(name, run);
            results.Add(new TestCaseResult(
                test.Id,
                name,
                outcome,
                TestMillis,
                outcome == TestRunOutcome.Failed ? "failed" : null));
        }

        return new TestBatchRun(
            results,
            Failed: false,
            running,
            TimedOut: null,
            string.Empty,
            FirstTestMillis);
    }

    public void Finish(TimeSpan elapsed) => Finished = true;

    public void Dispose() => Disposed = true;
}
