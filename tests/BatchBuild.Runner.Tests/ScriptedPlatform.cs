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

    public string Name => "the scripted platform";

    public Task<IReadOnlyList<DiscoveredTest>?> DiscoverAsync(CancellationToken cancellationToken) =>
        Task.FromResult(Tests);

    public Task<TestBatchRun> RunAsync(
        TestBatch batch, IReadOnlyList<KeyValuePair<string, string>> variables, CancellationToken cancellationToken)
    {
        Ran.Enqueue((batch, variables.ToDictionary(StringComparer.Ordinal)));
        var results = new List<TestCaseResult>();
        var running = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var test in batch.Tests)
        {
            var name = test.FullyQualifiedName;
            var run = _runsOf.AddOrUpdate(name, 1, (_, count) => count + 1);
            if (run == 1 && Crashes.Contains(name))
            {
                running[test.Id] = 5;
                return Task.FromResult(new TestBatchRun(
                    results,
                    Failed: true,
                    running,
                    TimedOut: null,
                    "the test host crashed"));
            }

            var outcome = Outcome(name, run);
            results.Add(new TestCaseResult(
                test.Id,
                name,
                outcome,
                TestMillis,
                outcome == TestRunOutcome.Failed ? "failed" : null));
        }

        return Task.FromResult(new TestBatchRun(
            results,
            Failed: false,
            running,
            TimedOut: null,
            string.Empty,
            FirstTestMillis));
    }

    public void Finish(TimeSpan elapsed) => Finished = true;

    public void Dispose() => Disposed = true;
}
