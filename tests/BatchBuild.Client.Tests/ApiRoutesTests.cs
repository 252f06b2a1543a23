using BatchBuild.Core.Api;
using BatchBuild.Core.Batches;

namespace BatchBuild.Client.Tests;

public sealed class ApiRoutesTests
{
    [Test]
    public void A_path_escapes_the_batch_id_and_the_lease_as_one_segment_each_and_stays_relative_to_the_server()
    {
        var id = BatchId.Parse("Nightly 42/é#?+%");

        Assert.Multiple(() =>
        {
            Assert.That(ApiRoutes.BatchPath(id), Is.EqualTo("api/v1/batches/Nightly%2042%2F%C3%A9%23%3F%2B%25"));
            Assert.That(
                ApiRoutes.LeaseHeartbeatPath(id, "l/1 {id}"),
                Is.EqualTo("api/v1/batches/Nightly%2042%2F%C3%A9%23%3F%2B%25/leases/l%2F1%20%7Bid%7D/heartbeat"));
            Assert.That(
                ApiRoutes.EyesClosePath(BatchId.Parse("b-1")),
                Is.EqualTo("api/sessions/batches/b-1/close/bypointerid"));
            Assert.That(ApiRoutes.ResultsPath, Is.EqualTo("api/v1/results"));
            Assert.That(ApiRoutes.StartCostsPath, Is.EqualTo("api/v1/start-costs"));
            Assert.That(ApiRoutes.StartCostsQueryPath, Is.EqualTo("api/v1/start-costs/query"));
        });
    }
}
