using NUnit.Framework;

namespace Bench.Payments;

public class PaymentsSlowTests
{
    [Test] public void Long_scenario_1() => Workload.Work(6500);

    [Test] public void Long_scenario_2() => Workload.Work(4500);
}

public class PaymentsMediumTests
{
    [TestCaseSource(typeof(Workload), nameof(Workload.Cases), new object[] { 10, 400, 1400 })]
    public void Medium_scenario(int number, int millis) => Workload.Work(millis);
}

public class PaymentsFastTestsA
{
    [TestCaseSource(typeof(Workload), nameof(Workload.Cases), new object[] { 40, 10, 250 })]
    public void Fast_check(int number, int millis) => Workload.Work(millis);
}

public class PaymentsFastTestsB
{
    [TestCaseSource(typeof(Workload), nameof(Workload.Cases), new object[] { 40, 10, 250 })]
    public void Fast_check(int number, int millis) => Workload.Work(millis);
}
