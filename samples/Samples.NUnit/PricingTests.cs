using NUnit.Framework;

namespace Samples.NUnit;

// Parameterized names with quotes, commas and parentheses must each run exactly once.
public class PricingTests
{
    [TearDown]
    public void Record() => TestRecorder.Record(TestContext.CurrentContext.Test.FullName);

    [TestCase("plain", 1)]
    [TestCase("a \"quoted\" label", 2)]
    [TestCase("comma, separated", 3)]
    [TestCase("(in parentheses)", 4)]
    [TestCase("it's, \"all\" (of them)", 5)]
    public void Label_is_kept(string label, int quantity)
    {
        Thread.Sleep(20 * quantity);
        Assert.That(label, Is.Not.Empty);
    }

    [TestCase(10.0, 0.1, 9.0)]
    [TestCase(20.0, 0.5, 10.0)]
    public void Discount_is_applied(double price, double discount, double expected) =>
        Assert.That(price * (1 - discount), Is.EqualTo(expected).Within(1e-9));
}
