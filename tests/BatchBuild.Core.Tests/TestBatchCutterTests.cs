using BatchBuild.Core.Configuration;
using BatchBuild.Core.Planning;
using static BatchBuild.Core.Tests.Suite;

namespace BatchBuild.Core.Tests;

public class TestBatchCutterTests
{
    [Test]
    public void Test_batches_are_cut_in_queue_order_and_numbered_from_one()
    {
        var plan = BatchPlanner.Cut(
            Discovered("A.a", "A.b", "A.c", "A.d", "A.e"),
            [],
            Settings(BatchingStrategyType.FixedSize, size: 2),
            Now);

        Assert.That(Names(plan), Is.EqualTo(new[] { new[] { "A.a", "A.b" }, ["A.c", "A.d"], ["A.e"] }));
        Assert.That(plan.Select(b => b.Index), Is.EqualTo(new[] { 1, 2, 3 }));
    }

    [Test]
    public void The_plan_holds_every_test_once()
    {
        var names = Enumerable.Range(0, 2000).Select(i => $"C{i % 17}.T{i:D4}").ToArray();

        var plan = BatchPlanner.Cut(Discovered(names), [], Settings(BatchingStrategyType.FixedSize, size: 3), Now);

        Assert.That(plan.SelectMany(b => b.Tests).Select(t => t.FullyQualifiedName), Is.EquivalentTo(names));
        Assert.That(plan.Select(b => b.Index), Is.EqualTo(Enumerable.Range(1, plan.Count)));
    }

    [Test]
    public void A_test_batch_is_named_after_the_batch_and_its_index()
    {
        var batch = Plan(Settings(BatchingStrategyType.Isolate), Discovered("A.a")).Single();

        Assert.That(batch.NameIn(Batches.BatchId.Parse("ci-42")), Is.EqualTo("ci-42:1"));
    }
}
