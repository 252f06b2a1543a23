using NUnit.Framework;

namespace Bench.Catalog;

public class CatalogSlowTests
{
    [Test] public void Long_scenario_1() => Workload.Work(8000);

    [Test] public void Long_scenario_2() => Workload.Work(5500);

    [Test] public void Long_scenario_3() => Workload.Work(3000);
}

public class CatalogMediumTests
{
    [TestCaseSource(typeof(Workload), nameof(Workload.Cases), new object[] { 10, 400, 1400 })]
    public void Medium_scenario(int number, int millis) => Workload.Work(millis);
}

public class CatalogFastTestsA
{
    [TestCaseSource(typeof(Workload), nameof(Workload.Cases), new object[] { 40, 10, 250 })]
    public void Fast_check(int number, int millis) => Workload.Work(millis);
}

public class CatalogFastTestsB
{
    [TestCaseSource(typeof(Workload), nameof(Workload.Cases), new object[] { 40, 10, 250 })]
    public void Fast_check(int number, int millis) => Workload.Work(millis);
}
