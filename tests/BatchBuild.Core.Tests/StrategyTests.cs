using BatchBuild.Core.Configuration;
using BatchBuild.Core.Discovery;
using static BatchBuild.Core.Tests.Suite;

namespace BatchBuild.Core.Tests;

public class IsolateStrategyTests
{
    [Test]
    public void Every_test_is_its_own_test_batch_longest_first()
    {
        var batches = Plan(
            Settings(BatchingStrategyType.Isolate),
            Discovered("A.short", "A.long", "B.middle"),
            History(("A.short", 10), ("A.long", 300), ("B.middle", 100)));

        Assert.That(Names(batches), Is.EqualTo(new[] { new[] { "A.long" }, ["B.middle"], ["A.short"] }));
        Assert.That(batches.Select(b => b.Index), Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(batches.Select(b => b.Strategy), Is.All.EqualTo("isolate"));
    }

    [Test]
    public void Equal_durations_are_ordered_by_name()
    {
        var batches = Plan(Settings(BatchingStrategyType.Isolate), Discovered("B.b", "A.z", "A.a"));

        Assert.That(Names(batches), Is.EqualTo(new[] { new[] { "A.a" }, ["A.z"], ["B.b"] }));
    }

    [Test]
    public void An_empty_suite_gives_no_test_batch()
    {
        Assert.That(Plan(Settings(BatchingStrategyType.Isolate), Discovered()), Is.Empty);
    }

    [Test]
    public void A_suite_of_one_test_gives_one_test_batch()
    {
        var batches = Plan(Settings(BatchingStrategyType.FixedSize, size: 5), Discovered("A.only"));

        Assert.That(Names(batches), Is.EqualTo(new[] { new[] { "A.only" } }));
    }

    [Test]
    public void Data_rows_that_share_a_name_are_one_test()
    {
        var rows = new[]
        {
            new DiscoveredTest(Assembly, "Ns.C.Rows", "Ns.C", "Rows (1)", []),
            new DiscoveredTest(Assembly, "Ns.C.Rows", "Ns.C", "Rows (2)", []),
        };

        var batches = Plan(Settings(BatchingStrategyType.Isolate), rows);

        Assert.That(batches, Has.Count.EqualTo(1));
        Assert.That(
            batches[0].Tests.Single().Cases.Select(c => c.DisplayName),
            Is.EqualTo(new[] { "Rows (1)", "Rows (2)" }));
    }
}

public class FixedSizeStrategyTests
{
    [Test]
    public void Without_durations_test_batches_hold_size_tests_in_name_order()
    {
        var batches = Plan(
            Settings(BatchingStrategyType.FixedSize, size: 2),
            Discovered("A.e", "A.d", "A.c", "A.b", "A.a"));

        Assert.That(Names(batches), Is.EqualTo(new[] { new[] { "A.a", "A.b" }, ["A.c", "A.d"], ["A.e"] }));
    }

    [Test]
    public void With_durations_the_queue_is_longest_first_and_each_batch_is_sorted_by_name()
    {
        var batches = Plan(
            Settings(BatchingStrategyType.FixedSize, size: 2),
            Discovered("A.a", "A.b", "A.c", "A.d"),
            History(("A.a", 10), ("A.b", 40), ("A.c", 30), ("A.d", 20)));

        Assert.That(Names(batches), Is.EqualTo(new[] { new[] { "A.b", "A.c" }, ["A.a", "A.d"] }));
        Assert.That(batches.Select(b => b.ExpectedMillis), Is.EqualTo(new[] { 70.0, 30.0 }));
    }

    [Test]
    public void The_duration_cap_stops_a_batch_before_the_test_that_would_pass_it()
    {
        // Queue: a 60, b 50, c 30, d 20, e 10; cap 100.
        var batches = Plan(
            Settings(BatchingStrategyType.FixedSize, size: 10, durationMillis: 100),
            Discovered("A.a", "A.b", "A.c", "A.d", "A.e"),
            History(("A.a", 60), ("A.b", 50), ("A.c", 30), ("A.d", 20), ("A.e", 10)));

        Assert.That(Names(batches), Is.EqualTo(new[] { new[] { "A.a" }, ["A.b", "A.c", "A.d"], ["A.e"] }));
        Assert.That(batches.Select(b => b.ExpectedMillis), Is.All.LessThanOrEqualTo(100));
    }

    [Test]
    public void A_test_longer_than_the_cap_still_gets_a_batch_of_its_own()
    {
        var batches = Plan(
            Settings(BatchingStrategyType.FixedSize, size: 10, durationMillis: 100),
            Discovered("A.huge", "A.small", "A.tiny"),
            History(("A.huge", 500), ("A.small", 60), ("A.tiny", 40)));

        Assert.That(Names(batches), Is.EqualTo(new[] { new[] { "A.huge" }, ["A.small", "A.tiny"] }));
    }

    [Test]
    public void A_suite_without_history_is_not_cut_into_single_tests_by_the_duration_cap()
    {
        // The default estimate (1000 ms) is far over the cap, but it is a guess, not history.
        var batches = Plan(
            Settings(BatchingStrategyType.FixedSize, size: 3, durationMillis: 100),
            Discovered("A.a", "A.b", "A.c", "A.d"));

        Assert.That(Names(batches), Is.EqualTo(new[] { new[] { "A.a", "A.b", "A.c" }, ["A.d"] }));
    }

    [Test]
    public void The_last_mile_runs_one_test_per_batch()
    {
        // Six tests, lastMileLength 3: the first batch takes a,b (6 waiting); then c,d (4 waiting);
        // then 2 < 3 remain, so e and f go alone.
        var batches = Plan(
            Settings(BatchingStrategyType.FixedSize, size: 2, lastMileLength: 3),
            Discovered("A.a", "A.b", "A.c", "A.d", "A.e", "A.f"));

        Assert.That(Names(batches), Is.EqualTo(new[] { new[] { "A.a", "A.b" }, ["A.c", "A.d"], ["A.e"], ["A.f"] }));
    }

    [Test]
    public void A_last_mile_longer_than_the_suite_isolates_every_test()
    {
        var batches = Plan(
            Settings(BatchingStrategyType.FixedSize, size: 5, lastMileLength: 10),
            Discovered("A.a", "A.b", "A.c"));

        Assert.That(batches.Select(b => b.Tests.Length), Is.All.EqualTo(1));
    }

    [Test]
    public void Tests_of_different_assemblies_never_share_a_batch()
    {
        // Interleaved in the queue by duration: x1 (one.dll) 40, y1 (two.dll) 30, x2 20, y2 10.
        var batches = Plan(
            Settings(BatchingStrategyType.FixedSize, size: 2),
            Discovered("/one.dll|X.x1", "/two.dll|Y.y1", "/one.dll|X.x2", "/two.dll|Y.y2"),
            History(("/one.dll|X.x1", 40), ("/two.dll|Y.y1", 30), ("/one.dll|X.x2", 20), ("/two.dll|Y.y2", 10)));

        Assert.That(Names(batches), Is.EqualTo(new[] { new[] { "X.x1", "X.x2" }, ["Y.y1", "Y.y2"] }));
        Assert.That(batches.Select(b => b.Source), Is.EqualTo(new[] { "/one.dll", "/two.dll" }));
    }

    [Test]
    public void A_test_discovered_twice_runs_once()
    {
        var batches = Plan(Settings(BatchingStrategyType.FixedSize, size: 5), Discovered("A.a", "A.b", "A.a", "A.b"));

        Assert.That(Names(batches), Is.EqualTo(new[] { new[] { "A.a", "A.b" } }));
    }

    [Test]
    public void The_same_name_in_two_assemblies_is_two_tests()
    {
        var batches = Plan(
            Settings(BatchingStrategyType.FixedSize, size: 5),
            Discovered("/net8/T.dll|A.a", "/net10/T.dll|A.a"));

        Assert.That(batches.Select(b => b.Source), Is.EquivalentTo(new[] { "/net8/T.dll", "/net10/T.dll" }));
    }
}

public class ClassNameStrategyTests
{
    [Test]
    public void Interleaved_classes_give_one_batch_per_class_in_one_pass()
    {
        // Queue order by duration interleaves the classes: B.x 50, A.x 40, B.y 30, A.y 20, C.z 10.
        var batches = Plan(
            Settings(BatchingStrategyType.ClassName),
            Discovered("A.x", "A.y", "B.x", "B.y", "C.z"),
            History(("B.x", 50), ("A.x", 40), ("B.y", 30), ("A.y", 20), ("C.z", 10)));

        Assert.That(Names(batches), Is.EqualTo(new[] { new[] { "B.x", "B.y" }, ["A.x", "A.y"], ["C.z"] }));
    }

    [Test]
    public void Classes_of_the_same_name_in_two_assemblies_are_two_batches()
    {
        var batches = Plan(
            Settings(BatchingStrategyType.ClassName),
            Discovered("/one.dll|Ns.C.a", "/two.dll|Ns.C.b", "/one.dll|Ns.C.c"));

        Assert.That(Names(batches), Is.EqualTo(new[] { new[] { "Ns.C.a", "Ns.C.c" }, ["Ns.C.b"] }));
    }

    [Test]
    public void Parameterized_tests_belong_to_their_class()
    {
        var batches = Plan(
            Settings(BatchingStrategyType.ClassName),
            Discovered("Ns.C.M(\"a.b\",1)", "Ns.C.M(\"c,d\",2)", "Ns.D.N"));

        Assert.That(
            Names(batches),
            Is.EqualTo(new[] { new[] { "Ns.C.M(\"a.b\",1)", "Ns.C.M(\"c,d\",2)" }, ["Ns.D.N"] }));
    }
}
