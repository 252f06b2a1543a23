using BatchBuild.Core.Planning;

namespace BatchBuild.Core.Strategies;

/// <summary>
/// Test batches of at most <c>size</c> tests taken from the front of the queue; with a duration
/// cap, a test batch stops before the test that would take its expected duration past the cap
/// (its first test is always taken); when fewer than <c>lastMileLength</c> tests remain, each
/// test batch holds one test so the tail spreads over all workers.
/// </summary>
public sealed class FixedSizeBatchingStrategy : IBatchingStrategy
{
    private readonly int _size;
    private readonly long? _durationMillis;
    private readonly int _lastMileLength;

    /// <summary>Creates the strategy; <paramref name="size"/> must be positive.</summary>
    public FixedSizeBatchingStrategy(int size, long? durationMillis = null, int lastMileLength = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        ArgumentOutOfRangeException.ThrowIfNegative(lastMileLength);
        _size = size;
        _durationMillis = durationMillis;
        _lastMileLength = lastMileLength;
    }

    /// <inheritdoc />
    public string Name => "fixed-size";

    /// <inheritdoc />
    public IReadOnlyList<QueuedTest> NextBatch(TestQueue queue)
    {
        if (queue.Count < _lastMileLength)
        {
            return [queue.Head];
        }

        var taken = new List<QueuedTest>();
        var expectedMillis = 0.0;
        foreach (var test in queue.SameSourceAsHead())
        {
            var cost = test.Expected.IsFromHistory ? test.Expected.Millis : 0;
            var overCap = _durationMillis is { } cap && taken.Count > 0 && expectedMillis + cost > cap;
            if (taken.Count == _size || overCap)
            {
                break;
            }

            taken.Add(test);
            expectedMillis += cost;
        }

        return taken;
    }
}
