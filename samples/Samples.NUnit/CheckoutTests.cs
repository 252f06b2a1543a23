using NUnit.Framework;

namespace Samples.NUnit;

// Durations vary on purpose: one long test, a few medium, many short.
public class CheckoutTests
{
    [TearDown]
    public void Record() => TestRecorder.Record(TestContext.CurrentContext.Test.FullName);

    [Test]
    public void Full_checkout_with_payment_provider() => Thread.Sleep(1200);

    [Test]
    public void Checkout_with_saved_card() => Thread.Sleep(400);

    [Test]
    public void Checkout_with_voucher() => Thread.Sleep(300);

    [Test]
    public void Empty_cart_cannot_check_out() => Assert.That(Array.Empty<int>(), Is.Empty);

    [Test]
    public void Fails_when_asked_to()
    {
        Assert.That(TestRecorder.FailOnPurpose, Is.False, "SAMPLES_FAIL=1 makes this test fail");
    }
}
