using BatchBuild.Core.Batches;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Store;

namespace BatchBuild.Store.Tests;

/// <summary>
/// The notification outbox per batch and webhook (schema version 6), on a real SQLite file and a
/// real PostgreSQL database, with an injected clock: each delivery is claimed, backed off,
/// delivered or given up on its own; a delivered one is never claimed again, also by a store
/// opened later; a database of version 5 is migrated and its waiting notification is taken up once.
/// </summary>
[TestFixtureSource(typeof(TestDatabase), nameof(TestDatabase.Providers))]
public sealed class NotificationOutboxTests(string provider) : DatabaseTest(provider)
{
    /// <summary>SQL that takes a version 6 database back to version 5 (without setting the version).</summary>
    internal const string Version6 =
        "DROP INDEX ix_batches_untaken; DROP INDEX ix_deliveries_open; DROP INDEX ix_deliveries_given_up; "
        + "DROP TABLE notification_deliveries; ALTER TABLE batches DROP COLUMN deliveries_at;";

    private static readonly DateTimeOffset Morning = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
    private static readonly NotificationTarget Good = NotificationTarget.For(
        new Uri("https://hooks.example.test/good?token=a"), "https://hooks.example.test/good?…");
    private static readonly NotificationTarget Down =
        NotificationTarget.For(new Uri("https://hooks.example.test/down"), "https://hooks.example.test/down");
    private static readonly NotificationTarget[] Targets = [Good, Down];
    private readonly ManualClock _clock = new(Morning);

    private static Dictionary<string, int> Free(int each = 4) => Targets.ToDictionary(target => target.Key, _ => each);

    private SqlBatchStore Open() => Database.Open(new BatchStoreOptions(BatchLimits.Default, true, _clock));

    private TestResultRecord Result(string batch) =>
        new(
            BatchId.Parse(batch),
            1,
            new TestKey("Tests", "A.One"),
            "A.One",
            TestRunOutcome.Passed,
            100,
            _clock.Now,
            "agent-1",
            Guid.NewGuid().ToString("N"));

    [Test]
    public async Task A_batch_a_re_run_re_opens_is_delivered_again_to_every_webhook_at_its_next_close_as_a_re_run()
    {
        var id = BatchId.Parse("github-77");
        using var store = Open();
        await store.RecordResultsAsync([Result(id.Value) with { Outcome = TestRunOutcome.Failed }]);
        await store.CloseBatchAsync(id);
        foreach (var delivery in (await store.ClaimDeliveriesAsync(Targets, Free())).Deliveries)
        {
            await store.CompleteDeliveryAsync(delivery, DeliveryOutcome.Delivered);
        }

        var rerun = await store.JoinRerunAsync(id, new Rerun(2, 2, 2));
        await store.RecordResultsAsync([Result(id.Value)]);
        await store.CloseBatchAsync(id);
        var again = await store.ClaimDeliveriesAsync(Targets, Free());

        Assert.That(rerun!.Status, Is.EqualTo(RerunStatus.Reopened));
        Assert.That(
            again.Deliveries.Select(d => (d.TargetKey, d.Attempt, d.Completion.Rerun, d.Completion.Attempt)),
            Is.EquivalentTo(new[] { (Good.Key, 1, true, 2), (Down.Key, 1, true, 2) }),
            "the deliveries of the first close make way for those of the re-run's");
    }

    [Test]
    public async Task A_migrated_version_5_database_claims_backs_off_and_ends_each_webhook_s_delivery_on_its_own_once()
    {
        using (var old = Open())
        {
            await old.RecordResultsAsync([Result("notified"), Result("waiting")]);
            await old.CloseBatchAsync(BatchId.Parse("notified"));
            await old.CompleteNotificationAsync((await old.ClaimNotificationsAsync()).Single(), delivered: true);
            await old.CloseBatchAsync(BatchId.Parse("waiting"));
        }

        Database.Execute(Database.Provider == "sqlite"
            ? $"{RerunTests.UndoVersion8} {LongTextTests.UndoVersion7} {Version6} PRAGMA user_version = 5;"
            : $"{RerunTests.UndoVersion8} {LongTextTests.UndoVersion7} {Version6} "
                + "DELETE FROM batchbuild_schema WHERE version > 5;");
        using var store = Open();

        var first = await store.ClaimDeliveriesAsync(Targets, Free());
        Assert.That(
            first.TakenUp.Select(completion => completion.Name),
            Is.EqualTo(new[] { "waiting" }),
            "the notification that waited, taken up once");
        Assert.That(
            first.Deliveries.Select(d => (d.Completion.Name, d.TargetKey, d.Attempt)),
            Is.EquivalentTo(new[] { ("waiting", Good.Key, 1), ("waiting", Down.Key, 1) }));
        Assert.That(
            await store.ClaimDeliveriesAsync(Targets, Free()),
            Is.EqualTo(DeliveryClaim.None),
            "claimed, not yet ended");

        var good = first.Deliveries.Single(d => d.TargetKey == Good.Key);
        var down = first.Deliveries.Single(d => d.TargetKey == Down.Key);
        await store.CompleteDeliveryAsync(good, DeliveryOutcome.Delivered);
        await store.CompleteDeliveryAsync(
            down, DeliveryOutcome.Failed("answered 503 Service Unavailable", TimeSpan.FromMinutes(1)));
        await store.CompleteDeliveryAsync(good, DeliveryOutcome.Failed("late", TimeSpan.Zero));

        var waiting = await store.GetDeliveriesAsync(BatchId.Parse("waiting"), 1);
        Assert.That(waiting.Select(d => (d.Target, d.State, d.Attempts, d.NextAttemptAt, d.LastError)), Is.EqualTo(new[]
        {
            (
                Down.Name,
                DeliveryState.Pending,
                1,
                (DateTimeOffset?)Morning.AddMinutes(1),
                (string?)"answered 503 Service Unavailable"),
            (Good.Name, DeliveryState.Delivered, 1, (DateTimeOffset?)null, (string?)null),
        }), "delivered once: a second ending changes nothing");
        Assert.That(
            await store.ClaimDeliveriesAsync(Targets, Free()),
            Is.EqualTo(DeliveryClaim.None),
            "the failed one waits its back-off, the delivered one is done");
        Assert.That(
            await store.ClaimNotificationsAsync(),
            Is.Empty,
            "the batch waits for its every delivery; no one else claims it meanwhile");

        _clock.Now += TimeSpan.FromMinutes(1);
        using var reopened = Open();
        var retry = (await reopened.ClaimDeliveriesAsync(Targets, Free())).Deliveries.Single();
        Assert.That(
            (retry.TargetKey, retry.Attempt),
            Is.EqualTo((Down.Key, 2)),
            "only the webhook that failed is tried again, by any store on the database");
        await reopened.CompleteDeliveryAsync(retry, DeliveryOutcome.GivenUp("no answer within 00:00:10"));

        Assert.That(await reopened.ClaimDeliveriesAsync(Targets, Free()), Is.EqualTo(DeliveryClaim.None));
        var givenUp = await reopened.ListDeliveriesAsync(DeliveryState.GivenUp, 1, 10);
        var ended = givenUp.Deliveries.Select(d => (d.BatchId, d.Target, d.Attempts, d.GivenUpAt, d.LastError));
        Assert.That(ended, Is.EqualTo(new[]
        {
            ("waiting", Down.Name, 2, (DateTimeOffset?)_clock.Now, (string?)"no answer within 00:00:10"),
        }));
        Assert.That((await reopened.ListDeliveriesAsync(null, 1, 10)).Total, Is.EqualTo(2));
        Assert.That(
            Database.Execute("SELECT COUNT(*) FROM batches WHERE notified_at IS NULL"),
            Is.EqualTo(0L),
            "every delivery ended: the batch is notified");
    }

    [Test]
    public async Task The_deliveries_to_a_webhook_no_longer_configured_are_given_up_and_their_batch_is_notified()
    {
        using var store = Open();
        await store.RecordResultsAsync([Result("ci-1")]);
        await store.CloseBatchAsync(BatchId.Parse("ci-1"));
        var good = (await store.ClaimDeliveriesAsync(Targets, Free())).Deliveries.Single(d => d.TargetKey == Good.Key);
        await store.CompleteDeliveryAsync(good, DeliveryOutcome.Delivered);

        var given = await store.GiveUpOtherTargetsAsync([Good], "no longer configured");
        var again = await store.GiveUpOtherTargetsAsync([Good], "no longer configured");

        Assert.That(given, Is.EqualTo(new Dictionary<string, int> { [Down.Name] = 1 }));
        Assert.That(again, Is.Empty, "given up once");
        var deliveries = await store.GetDeliveriesAsync(BatchId.Parse("ci-1"), 1);
        Assert.That(deliveries.Select(d => (d.Target, d.State, d.LastError)), Is.EqualTo(new[]
        {
            (Down.Name, DeliveryState.GivenUp, (string?)"no longer configured"),
            (Good.Name, DeliveryState.Delivered, (string?)null),
        }));
        Assert.That(Database.Execute("SELECT COUNT(*) FROM batches WHERE notified_at IS NULL"), Is.EqualTo(0L));
    }

    [Test]
    public async Task A_webhook_gets_at_most_its_free_deliveries_per_look_and_a_released_one_is_due_again_uncounted()
    {
        using var store = Open();
        foreach (var batch in new[] { "ci-1", "ci-2", "ci-3" })
        {
            await store.RecordResultsAsync([Result(batch)]);
            await store.CloseBatchAsync(BatchId.Parse(batch));
        }

        var claim = await store.ClaimDeliveriesAsync(
            Targets, new Dictionary<string, int> { [Good.Key] = 2, [Down.Key] = 0 });
        Assert.That(claim.TakenUp, Has.Count.EqualTo(3));
        Assert.That(
            claim.Deliveries.Select(d => (d.Completion.Name, d.TargetKey)),
            Is.EqualTo(new[] { ("ci-1", Good.Key), ("ci-2", Good.Key) }),
            "oldest first, two for the webhook with two free");

        await store.CompleteDeliveryAsync(claim.Deliveries[0], DeliveryOutcome.Released);
        var next = await store.ClaimDeliveriesAsync(
            Targets, new Dictionary<string, int> { [Good.Key] = 4, [Down.Key] = 1 });
        Assert.That(next.TakenUp, Is.Empty);
        Assert.That(
            next.Deliveries.Select(d => (d.Completion.Name, d.TargetKey, d.Attempt)),
            Is.EqualTo(new[] { ("ci-1", Good.Key, 1), ("ci-3", Good.Key, 1), ("ci-1", Down.Key, 1) }));
    }
}
