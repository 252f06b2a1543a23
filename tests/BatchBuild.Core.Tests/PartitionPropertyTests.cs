using BatchBuild.Core.Configuration;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using static BatchBuild.Core.Tests.Suite;

namespace BatchBuild.Core.Tests;

/// <summary>
/// For random suites (several assemblies and classes, duplicates, data rows, partial history) and
/// every strategy, the test batches partition the suite: every test exactly once, none invented,
/// and each test batch keeps the strategy's rules.
/// </summary>
public class PartitionPropertyTests
{
    private static IEnumerable<TestCaseData> Strategies()
    {
        yield return new TestCaseData(Settings(BatchingStrategyType.Isolate)).SetArgDisplayNames("isolate");
        yield return new TestCaseData(Settings(BatchingStrategyType.ClassName)).SetArgDisplayNames("class-name");
        yield return new TestCaseData(Settings(BatchingStrategyType.FixedSize, size: 1))
            .SetArgDisplayNames("fixed-size 1");
        yield return new TestCaseData(Settings(BatchingStrategyType.FixedSize, size: 4))
            .SetArgDisplayNames("fixed-size 4");
        yield return new TestCaseData(Settings(
            BatchingStrategyType.FixedSize,
            size: 7,
            durationMillis: 300,
            lastMileLength: 5))
            .SetArgDisplayNames("fixed-size 7, 300 ms, last mile 5");
        yield return new TestCaseData(Settings(
            BatchingStrategyType.FixedSize,
            size: 50,
            durationMillis: 1,
            percentile: 50))
            .SetArgDisplayNames("fixed-size 50, 1 ms");
    }

    [TestCaseSource(nameof(Strategies))]
    public void Test_batches_partition_random_suites_exactly(BatchBuildSettings settings)
    {
        for (var seed = 1; seed <= 150; seed++)
        {
            var (discovered, history) = RandomSuite(new Random(seed));
            var batches = Plan(settings, discovered, history);

            var expected = discovered.Select(t => (t.Source, t.FullyQualifiedName)).Distinct().ToList();
            var planned = batches.SelectMany(b => b.Tests.Select(t => (t.Source, t.FullyQualifiedName))).ToList();
            Assert.That(planned, Is.EquivalentTo(expected), $"seed {seed}: every test exactly once");

            foreach (var batch in batches)
            {
                Assert.That(
                    batch.Tests.Select(t => t.Source),
                    Is.All.EqualTo(batch.Source),
                    $"seed {seed}: one assembly per test batch");
                Assert.That(batch.Tests, Is.Ordered.Ascending, $"seed {seed}: sorted test batch");
                var strategy = settings.BatchingStrategy;
                if (strategy.Type == BatchingStrategyType.FixedSize)
                {
                    Assert.That(batch.Tests, Has.Length.InRange(1, strategy.Size!.Value), $"seed {seed}: size");
                    if (batch.Tests.Length > 1 && strategy.DurationMillis is { } cap)
                    {
                        Assert.That(batch.ExpectedMillis, Is.LessThanOrEqualTo(cap), $"seed {seed}: duration cap");
                    }
                }
                else if (strategy.Type == BatchingStrategyType.Isolate)
                {
                    Assert.That(batch.Tests, Has.Length.EqualTo(1), $"seed {seed}: isolate");
                }
            }

            if (settings.BatchingStrategy.Type == BatchingStrategyType.ClassName)
            {
                var classes = expected.Select(t => (t.Source, TestName.ClassOf(t.FullyQualifiedName)))
                    .Distinct()
                    .Count();
                Assert.That(batches, Has.Count.EqualTo(classes), $"seed {seed}: one test batch per class");
            }

            Assert.That(
                batches.Select(b => b.Index),
                Is.EqualTo(Enumerable.Range(1, batches.Count)),
                $"seed {seed}: indexes");
        }
    }

    private static (DiscoveredTest[] Tests, DurationRecord[] History) RandomSuite(Random random)
    {
        var tests = new List<DiscoveredTest>();
        var history = new List<DurationRecord>();
        var count = random.Next(0, 80);
        for (var i = 0; i < count; i++)
        {
            var source = $"/bin/Project{random.Next(3)}.dll";
            var name = $"Ns.Class{random.Next(6)}.Test{random.Next(40)}";
            tests.Add(new DiscoveredTest(source, name, TestName.ClassOf(name), $"{name} row {random.Next(3)}", []));
            if (random.NextDouble() < 0.6)
            {
                // Mostly short tests with a long tail, some recorded long ago.
                var millis = random.NextDouble() < 0.1 ? random.Next(200, 2000) : random.Next(1, 60);
                history.Add(Record($"{source}|{name}", millis, Now.AddDays(-random.Next(0, 10)),
                    random.NextDouble() < 0.1 ? TestRunOutcome.Skipped : TestRunOutcome.Passed));
            }
        }

        return ([.. tests], [.. history]);
    }
}
