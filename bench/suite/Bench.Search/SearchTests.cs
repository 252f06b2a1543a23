using NUnit.Framework;

namespace Bench.Search;

public class SearchSlowTests
{
    [Test] public void Long_scenario_1() => Workload.Work(7000);

    [Test] public void Long_scenario_2() => Workload.Work(2500);
}

public class SearchMediumTests
{
    [TestCaseSource(typeof(Workload), nameof(Workload.Cases), new object[] { 10, 400, 1400 })]
    public void Medium_scenario(int number, int millis) => Workload.Work(millis);
}

public class SearchFastTestsA
{
    [TestCaseSource(typeof(Workload), nameof(Workload.Cases), new object[] { 40, 10, 250 })]
    public void Fast_check(int number, int millis) => Workload.Work(millis);
}

public class SearchFastTestsB
{
    [TestCaseSource(typeof(Workload), nameof(Workload.Cases), new object[] { 40, 10, 250 })]
    public void Fast_check(int number, int millis) => Workload.Work(millis);
}

public class SearchSmokeTests
{
    // The trivial test the benchmark measures a test batch's own cost with.
    [Test]
    public void Trivial() => Assert.That(1 + 1, Is.EqualTo(2));
}
