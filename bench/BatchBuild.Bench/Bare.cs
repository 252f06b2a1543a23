using System.Diagnostics;
using BatchBuild.Core.Running;
using BatchBuild.Tasks;

namespace BatchBuild.Bench;

/// <summary>
/// Runs through the translation layer with nothing of BatchBuild around it: the baselines the task
/// is measured against. Called only after the test platform's assemblies resolve.
/// </summary>
internal static class Bare
{
    private const string RunSettings = "<RunSettings />";

    /// <summary>
    /// Seconds each run of one test took in one warm vstest.console: every test of
    /// <paramref name="assembly"/> but the first runs alone, after the first warmed the session up.
    /// </summary>
    public static List<double> RunEach(string vstest, string assembly)
    {
        using var session = VsTestSession.Start(vstest);
        var tests = session
            .Discover(assembly, RunSettings, null, CancellationToken.None)
            .TestCases.OrderBy(t => t.FullyQualifiedName, StringComparer.Ordinal)
            .ToList();
        session.Run(tests.Take(1), RunSettings, TestBatchLimits.None, CancellationToken.None);
        var seconds = new List<double>();
        foreach (var test in tests.Skip(1))
        {
            var clock = Stopwatch.StartNew();
            var run = session.Run([test], RunSettings, TestBatchLimits.None, CancellationToken.None);
            seconds.Add(clock.Elapsed.TotalSeconds);
            if (run.Results.Count != 1)
            {
                throw new BenchmarkFailed($"the bare run of {test.FullyQualifiedName} reported {run.Results.Count} "
                    + $"results:{Environment.NewLine}{run.Log}");
            }
        }

        return seconds;
    }

    /// <summary>
    /// A static split a CI matrix often uses: case i of each assembly's discovery goes to worker
    /// i mod n, and each worker runs its share of every assembly in one run.
    /// </summary>
    public static async Task<TimeSpan> RoundRobinAsync(string vstest, string[] assemblies, int workers)
    {
        var sessions = Enumerable.Range(0, workers).Select(_ => VsTestSession.Start(vstest)).ToList();
        try
        {
            var discovered = assemblies
                .Select(assembly => sessions[0].Discover(assembly, RunSettings, null, CancellationToken.None).TestCases)
                .ToList();
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(sessions.Select((session, worker) => Task.Run(() =>
            {
                foreach (var cases in discovered)
                {
                    var share = cases.Where((_, i) => i % workers == worker).ToList();
                    if (share.Count > 0)
                    {
                        session.Run(share, RunSettings, TestBatchLimits.None, CancellationToken.None);
                    }
                }
            })));
            return clock.Elapsed;
        }
        finally
        {
            sessions.ForEach(session => session.Dispose());
        }
    }
}
