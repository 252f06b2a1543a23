namespace BatchBuild.Store.Tests;

/// <summary>The time a webhook delivery may take, which the server's settings are checked against.</summary>
public sealed class DeliveryTimeTests
{
    [Test]
    public void The_longest_delivery_is_half_the_time_after_which_a_claim_is_stale_never_zero() =>
        Assert.That(SqlBatchStore.MaxDeliveryTime, Is.EqualTo(TimeSpan.FromMinutes(5)));
}
