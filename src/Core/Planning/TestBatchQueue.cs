using System.Collections.Immutable;
using BatchBuild.Core.Strategies;

namespace BatchBuild.Core.Planning;

/// <summary>
/// Cuts test batches from a <see cref="TestQueue"/> lazily, one each time a worker asks, so
/// workers that finish at different times share one queue. Safe to call from several threads.
/// </summary>
public sealed class TestBatchQueue
{
    private readonly object _gate = new();
    private readonly TestQueue _queue;
    private readonly IBatchingStrategy _strategy;
    private int _made;

    internal TestBatchQueue(TestQueue queue, IBatchingStrategy strategy)
    {
        _queue = queue;
        _strategy = strategy;
    }

    /// <summary>How many tests are still waiting for a test batch.</summary>
    public int RemainingTests
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Cuts the next test batch, or returns false when every test has one.</summary>
    public bool TryDequeue([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TestBatch? batch)
    {
        lock (_gate)
        {
            if (_queue.Count == 0)
            {
                batch = null;
                return false;
            }

            var head = _queue.Head;
            var taken = _strategy.NextBatch(_queue);
            Check(taken, head);
            foreach (var test in taken)
            {
                _queue.Remove(test);
            }

            batch = new TestBatch(
                ++_made,
                head.Test.Source,
                [.. taken.Select(queued => queued.Test).Order()],
                taken.Sum(queued => queued.Expected.Millis),
                _strategy.Name);
            return true;
        }
    }

    /// <summary>Cuts every remaining test batch at once.</summary>
    public ImmutableArray<TestBatch> DequeueAll()
    {
        var batches = ImmutableArray.CreateBuilder<TestBatch>();
        while (TryDequeue(out var batch))
        {
            batches.Add(batch);
        }

        return batches.ToImmutable();
    }

    // A strategy that broke the partition rules would lose or repeat tests; fail loudly instead.
    private void Check(IReadOnlyList<QueuedTest> taken, QueuedTest head)
    {
        if (taken.Count == 0 || !ReferenceEquals(taken[0], head))
        {
            throw new InvalidOperationException($"The {_strategy.Name} strategy must start a test batch with the head of the queue.");
        }

        if (taken.Any(test => !_queue.Contains(test) || test.Test.Source != head.Test.Source)
            || taken.Distinct().Count() != taken.Count)
        {
            throw new InvalidOperationException($"The {_strategy.Name} strategy took a test that is not waiting, twice, or from another assembly.");
        }
    }
}
