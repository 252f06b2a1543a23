using System.Collections.Concurrent;
using BatchBuild.Core.Configuration;
using BatchBuild.Core.Planning;
using static BatchBuild.Core.Tests.Suite;

namespace BatchBuild.Core.Tests;

public class TestBatchQueueTests
{
    [Test]
    public void Test_batches_are_cut_only_when_asked_for()
    {
        var queue = BatchPlanner.CreateQueue(Discovered("A.a", "A.b", "A.c", "A.d", "A.e"), [], Settings(BatchingStrategyType.FixedSize, size: 2), Now);

        Assert.That(queue.RemainingTests, Is.EqualTo(5));
        Assert.That(queue.TryDequeue(out var first), Is.True);
        Assert.That(first!.Tests.Select(t => t.FullyQualifiedName), Is.EqualTo(new[] { "A.a", "A.b" }));
        Assert.That(queue.RemainingTests, Is.EqualTo(3));
        Assert.That(queue.DequeueAll().Select(b => b.Index), Is.EqualTo(new[] { 2, 3 }));
        Assert.That(queue.TryDequeue(out _), Is.False);
    }

    [Test]
    public void Workers_on_several_threads_share_the_queue_without_losing_or_repeating_a_test()
    {
        var names = Enumerable.Range(0, 2000).Select(i => $"C{i % 17}.T{i:D4}").ToArray();
        var queue = BatchPlanner.CreateQueue(Discovered(names), [], Settings(BatchingStrategyType.FixedSize, size: 3), Now);
        var taken = new ConcurrentBag<TestBatch>();

        Parallel.For(0, 8, _ =>
        {
            while (queue.TryDequeue(out var batch))
            {
                taken.Add(batch);
            }
        });

        Assert.That(taken.SelectMany(b => b.Tests).Select(t => t.FullyQualifiedName), Is.EquivalentTo(names));
        Assert.That(taken.Select(b => b.Index).Order(), Is.EqualTo(Enumerable.Range(1, taken.Count)));
    }

    [Test]
    public void A_test_batch_is_named_after_the_batch_and_its_index()
    {
        var batch = Plan(Settings(BatchingStrategyType.Isolate), Discovered("A.a")).Single();

        Assert.That(batch.NameIn(Batches.BatchId.Parse("ci-42")), Is.EqualTo("ci-42:1"));
    }
}
