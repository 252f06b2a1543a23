using BatchBuild.Core.Agents;
using BatchBuild.Core.Api;

namespace BatchBuild.Core.Tests;

/// <summary>The pure rules that bound the batch server's queues: limits, plan pages, fingerprints.</summary>
public sealed class QueueBoundsTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    private static QueuedTestBatch Batch(int index, double millis, params string[] tests) => new(index, tests, millis);

    [Test]
    public void What_a_registration_would_add_is_what_registering_it_adds()
    {
        var queue = new AgentQueue("Shop.Tests", TimeSpan.FromMinutes(1));
        queue.Register("1", [Batch(1, 100, "A", "B"), Batch(2, 50, "C")], Start);
        QueuedTestBatch[] next = [Batch(1, 100, "A", "D", "D"), Batch(2, 50, "C"), Batch(3, 10, "E", "D")];

        var predicted = queue.Additions(next);
        var before = queue.Size;
        queue.Register("2", next, Start);

        Assert.That(predicted, Is.EqualTo(new QueueSize(2, 2)), "D once and E: two test batches");
        Assert.That(queue.Size, Is.EqualTo(before + predicted));
        Assert.That(queue.Additions(next), Is.EqualTo(default(QueueSize)), "registering again adds nothing");
    }

    [Test]
    public void A_registration_past_a_batch_s_or_the_server_s_limit_is_refused_with_its_code_one_adding_nothing_never()
    {
        var limits = new QueueLimits(MaxTestsPerBatch: 100, MaxTestBatchesPerBatch: 10, MaxTestsPerServer: 150);

        Assert.That(limits.Refusal("ci-1", new(90, 5), new(90, 5), new(10, 5)), Is.Null, "exactly at the limits");
        Assert.That(
            limits.Refusal("ci-1", new(90, 5), new(90, 5), new(11, 1))!.Code,
            Is.EqualTo(DiagnosticCodes.QueueTooLarge));
        Assert.That(
            limits.Refusal("ci-1", new(10, 10), new(10, 10), new(1, 1))!.Message,
            Does.Contain("11 tests in 11 test batches").And.Contain("MaxQueuedTestBatchesPerBatch"));
        Assert.That(
            limits.Refusal("ci-2", new(0, 0), new(100, 10), new(51, 1))!.Code,
            Is.EqualTo(DiagnosticCodes.QueuesFull));
        Assert.That(limits.Refusal("ci-1", new(500, 500), new(900, 900), default), Is.Null);
    }

    [Test]
    public void Plan_pages_hold_every_test_once_in_order_and_cut_a_long_test_batch_into_parts()
    {
        QueuedTestBatch[] plan = [Batch(1, 5, "A1", "A2", "A3"), Batch(2, 7, "B1"), Batch(
            3,
            9,
            "C1",
            "C2",
            "C3",
            "C4")];

        // Each name takes 5 bytes with its quotes and comma, a part 80 more: a page of 92 holds one part of 2 tests.
        var pages = new List<QueuePlanPageDto>();
        for (int? from = 0; from is { } position && pages.Count < 20;)
        {
            pages.Add(QueuePlanPageDto.Of("Shop.Tests", plan, position, maxBytes: 92));
            from = pages[^1].Next;
        }

        var parts = pages.SelectMany(page => page.TestBatches).ToList();
        Assert.That(pages.Select(page => page.From), Is.EqualTo(new[] { 0, 2, 3, 4, 6 }));
        Assert.That(
            parts.Select(part => (part.Index, string.Join(",", part.Tests), part.ExpectedMillis)),
            Is.EqualTo(new[]
        {
            (1, "A1,A2", 5.0), (1, "A3", 5.0), (2, "B1", 7.0), (3, "C1,C2", 9.0), (3, "C3,C4", 9.0),
        }));
        Assert.That(pages.Select(page => (page.PlanTests, page.PlanTestBatches)), Is.All.EqualTo((8, 3)));
        Assert.That(QueuePlanPageDto.Of("Shop.Tests", plan, 8).TestBatches, Is.Empty, "past the end");
        Assert.That(
            QueuePlanPageDto.Of("Shop.Tests", [Batch(1, 5, new string('x', 500))], 0, maxBytes: 100).TestBatches
                .Single().Tests,
            Has.Count.EqualTo(1),
            "one test always fits");
    }

    [Test]
    public void A_plan_s_fingerprint_changes_with_any_test_expected_time_or_cut()
    {
        var plan = QueuePlanFingerprint.Of([Batch(1, 5, "A", "B"), Batch(2, 7, "C")]);

        Assert.That(plan, Does.Match("^sha256:[0-9a-f]{64}$"));
        Assert.That(QueuePlanFingerprint.Of([Batch(1, 5, "A", "B"), Batch(2, 7, "C")]), Is.EqualTo(plan));
        Assert.That(
            new[]
            {
                QueuePlanFingerprint.Of([Batch(1, 5, "A"), Batch(2, 7, "B", "C")]),
                QueuePlanFingerprint.Of([Batch(1, 5, "A", "B"), Batch(2, 7.5, "C")]),
                QueuePlanFingerprint.Of([Batch(1, 5, "AB"), Batch(2, 7, "C")]),
                QueuePlanFingerprint.Of([Batch(1, 5, "A", "B")]),
            },
            Has.None.EqualTo(plan));
    }
}
