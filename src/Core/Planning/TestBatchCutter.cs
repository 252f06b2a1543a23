using System.Collections.Immutable;
using BatchBuild.Core.Strategies;

namespace BatchBuild.Core.Planning;

/// <summary>
/// Cuts a <see cref="TestQueue"/> into test batches with one strategy, all at once: the plan a run
/// follows. Checks once, for every strategy, that each test lands in exactly one test batch.
/// </summary>
internal static class TestBatchCutter
{
    /// <summary>
    /// The test batches <paramref name="strategy"/> cuts from <paramref name="queue"/>, numbered
    /// from 1 in the order they were cut; the queue is empty afterwards.
    /// </summary>
    public static ImmutableArray<TestBatch> Cut(TestQueue queue, IBatchingStrategy strategy)
    {
        var batches = ImmutableArray.CreateBuilder<TestBatch>();
        while (queue.Count > 0)
        {
            var head = queue.Head;
            var taken = strategy.NextBatch(queue);
            Check(queue, strategy, taken, head);
            foreach (var test in taken)
            {
                queue.Remove(test);
            }

            batches.Add(new TestBatch(
                batches.Count + 1,
                head.Test.Source,
                [.. taken.Select(queued => queued.Test).Order()],
                taken.Sum(queued => queued.Expected.Millis),
                strategy.Name));
        }

        return batches.ToImmutable();
    }

    // A strategy that broke the partition rules would lose or repeat tests; fail loudly instead.
    private static void Check(
        TestQueue queue,
        IBatchingStrategy strategy,
        IReadOnlyList<QueuedTest> taken,
        QueuedTest head)
    {
        if (taken.Count == 0 || !ReferenceEquals(taken[0], head))
        {
            throw new InvalidOperationException(
                $"The {strategy.Name} strategy must start a test batch with the head of the queue.");
        }

        if (taken.Any(test => !queue.Contains(test) || test.Test.Source != head.Test.Source)
            || taken.Distinct().Count() != taken.Count)
        {
            throw new InvalidOperationException(
                $"The {strategy.Name} strategy took a test that is not waiting, twice, or from another assembly.");
        }
    }
}
