using NUnit.Framework;

namespace Samples.NUnit;

public class InventoryTests
{
    [TearDown]
    public void Record() => TestRecorder.Record(TestContext.CurrentContext.Test.FullName);

    [Test]
    public void Stock_is_reserved() => Thread.Sleep(150);

    [Test]
    public void Stock_is_released() => Thread.Sleep(100);

    [Test]
    public void Stock_never_goes_negative() => Assert.That(Math.Max(0, -3), Is.EqualTo(0));

    [Test]
    public void Warehouse_is_synchronised() => Thread.Sleep(600);
}
