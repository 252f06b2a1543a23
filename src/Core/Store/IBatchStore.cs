using BatchBuild.Core.Durations;

namespace BatchBuild.Core.Store;

/// <summary>Where test results and duration history are kept: the embedded SQLite file or a batch server.</summary>
public interface IBatchStore : IDisposable
{
    /// <summary>Records results; all of them or none.</summary>
    Task RecordResultsAsync(IReadOnlyCollection<TestResultRecord> results, CancellationToken cancellationToken = default);

    /// <summary>
    /// The recorded runs of the tests of <paramref name="assemblies"/> (assembly names) that ended
    /// at or after <paramref name="since"/> (all when null), the newest <paramref name="runsPerTest"/> per test.
    /// </summary>
    Task<IReadOnlyList<DurationRecord>> GetHistoryAsync(
        IReadOnlyCollection<string> assemblies,
        DateTimeOffset? since,
        int runsPerTest,
        CancellationToken cancellationToken = default);
}
