using Microsoft.VisualStudio.TestTools.UnitTesting;

[assembly: Parallelize(Workers = 1, Scope = ExecutionScope.MethodLevel)]

namespace Samples.MSTest;

[TestClass]
public class ShippingTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestCleanup]
    public void Record() => TestRecorder.Record($"{GetType().FullName}.{TestContext.TestName}({TestContext.TestDisplayName})");

    // Data rows share one name: BatchBuild selects and runs them together.
    [TestMethod]
    [DataRow("EU", 5)]
    [DataRow("US, mainland", 7)]
    [DataRow("\"remote\" (islands)", 12)]
    public void Delivery_days(string region, int days)
    {
        Thread.Sleep(50);
        Assert.IsTrue(days > 0, region);
    }

    [TestMethod]
    public void Label_is_printed() => Thread.Sleep(500);

    [TestMethod]
    public void Parcel_is_weighed() => Thread.Sleep(100);
}

[TestClass]
public class ReturnsTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestCleanup]
    public void Record() => TestRecorder.Record($"{GetType().FullName}.{TestContext.TestName}");

    [TestMethod]
    public void Refund_is_issued() => Thread.Sleep(300);

    [TestMethod]
    public void Return_window_is_thirty_days() => Assert.AreEqual(30, TimeSpan.FromDays(30).Days);
}
