using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;

namespace BatchBuild.Core.Planning;

/// <summary>
/// The tests not yet given to a test batch, longest expected duration first (ties by source, then
/// name), so that long tests start early. Strategies read it; only <see cref="TestBatchCutter"/>
/// takes from it.
/// </summary>
public sealed class TestQueue
{
    private readonly LinkedList<QueuedTest> _queue = new();
    private readonly Dictionary<string, LinkedList<QueuedTest>> _bySource = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Source, string Class), LinkedList<QueuedTest>> _byClass = new();

    internal TestQueue(IEnumerable<SelectableTest> tests, IReadOnlyDictionary<TestKey, DurationEstimate> estimates)
    {
        var ordered = tests
            .DistinctBy(test => (test.Source, test.Id))
            .Select(test => new QueuedTest(test, estimates[test.Key]))
            .OrderByDescending(queued => queued.Expected.Millis)
            .ThenBy(queued => queued.Test);
        foreach (var queued in ordered)
        {
            queued.InQueue = _queue.AddLast(queued);
            queued.InSource = ListOf(_bySource, queued.Test.Source).AddLast(queued);
            queued.InClass = ListOf(_byClass, (queued.Test.Source, queued.Test.ClassName)).AddLast(queued);
        }
    }

    /// <summary>How many tests are waiting.</summary>
    public int Count => _queue.Count;

    /// <summary>The test at the front of the queue. The queue must not be empty.</summary>
    public QueuedTest Head => _queue.First?.Value ?? throw new InvalidOperationException("The test queue is empty.");

    /// <summary>The waiting tests of the head's assembly, in queue order, starting with the head.</summary>
    public IEnumerable<QueuedTest> SameSourceAsHead() => _bySource[Head.Test.Source];

    /// <summary>The waiting tests of the head's class, in queue order, starting with the head.</summary>
    public IEnumerable<QueuedTest> SameClassAsHead() => _byClass[(Head.Test.Source, Head.Test.ClassName)];

    /// <summary>Whether <paramref name="test"/> is still waiting in this queue.</summary>
    public bool Contains(QueuedTest test) => test.InQueue?.List == _queue;

    internal void Remove(QueuedTest test)
    {
        _queue.Remove(test.InQueue!);
        _bySource[test.Test.Source].Remove(test.InSource!);
        _byClass[(test.Test.Source, test.Test.ClassName)].Remove(test.InClass!);
        test.InQueue = test.InSource = test.InClass = null;
    }

    private static LinkedList<QueuedTest> ListOf<TKey>(Dictionary<TKey, LinkedList<QueuedTest>> lists, TKey key)
        where TKey : notnull
    {
        if (!lists.TryGetValue(key, out var list))
        {
            lists[key] = list = new LinkedList<QueuedTest>();
        }

        return list;
    }
}
