using BatchBuild.Core.Planning;

namespace BatchBuild.Runner;

/// <summary>
/// The test batches a project's workers take, in plan order, with test batches that run tests
/// again put in front. A worker that finds nothing queued waits while another still runs a test
/// batch, which may queue more; when nothing is queued and nothing runs, the work is done.
/// </summary>
internal sealed class TestBatchWork(IEnumerable<TestBatch> plan)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);
    private readonly LinkedList<TestBatch> _queue = new(plan);
    private int _running;

    /// <summary>The next test batch, without taking it; null when the work is done.</summary>
    public async Task<TestBatch?> PeekAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            lock (_queue)
            {
                if (_queue.First is { } first)
                {
                    return first.Value;
                }

                if (_running == 0)
                {
                    return null;
                }
            }

            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Takes the next test batch, or null when another worker took the last one.</summary>
    public TestBatch? TryTake()
    {
        lock (_queue)
        {
            if (_queue.First is not { } first)
            {
                return null;
            }

            _queue.RemoveFirst();
            _running++;
            return first.Value;
        }
    }

    /// <summary>
    /// Queues <paramref name="batches"/> in front, in order, for test batches that did not come
    /// from here.
    /// </summary>
    public void Add(IReadOnlyList<TestBatch> batches)
    {
        lock (_queue)
        {
            for (var i = batches.Count - 1; i >= 0; i--)
            {
                _queue.AddFirst(batches[i]);
            }
        }
    }

    /// <summary>Ends a taken test batch, queueing <paramref name="again"/> in front, in order.</summary>
    public void Done(IReadOnlyList<TestBatch> again)
    {
        lock (_queue)
        {
            for (var i = again.Count - 1; i >= 0; i--)
            {
                _queue.AddFirst(again[i]);
            }

            _running--;
        }
    }
}
