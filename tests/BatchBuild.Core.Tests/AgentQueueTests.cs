using BatchBuild.Core.Agents;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Planning;

namespace BatchBuild.Core.Tests;

public sealed class AgentQueueTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static QueuedTestBatch Batch(int index, double millis, params string[] tests) => new(index, tests, millis);

    private static AgentQueue Queue(params QueuedTestBatch[] plan)
    {
        var queue = new AgentQueue("Shop.Tests", Timeout);
        queue.Register("1", plan, Start);
        return queue;
    }

    private static LeaseReply.Granted Granted(LeaseReply reply) =>
        reply as LeaseReply.Granted ?? throw new AssertionException($"expected a lease, got {reply}");

    [Test]
    public void Agents_lease_the_longest_test_batch_first_until_every_one_ran_once()
    {
        var queue = Queue(Batch(1, 100, "A"), Batch(2, 900, "B", "C"), Batch(3, 400, "D"));
        queue.Register("2", queue.Plan, Start);

        var first = Granted(queue.Lease("1", Start));
        var second = Granted(queue.Lease("2", Start));
        Assert.That(queue.Complete(first.Lease.Id, "1", Start.AddSeconds(1)), Is.EqualTo(CompletionStatus.Completed));
        var third = Granted(queue.Lease("1", Start.AddSeconds(1)));

        Assert.That(new[] { first.Batch.Index, second.Batch.Index, third.Batch.Index }, Is.EqualTo(new[] { 2, 3, 1 }));
        Assert.That(
            queue.Lease("1", Start.AddSeconds(1)),
            Is.TypeOf<LeaseReply.Wait>(),
            "agent 2's lease may still expire");
        queue.Complete(second.Lease.Id, "2", Start.AddSeconds(2));
        queue.Complete(third.Lease.Id, "1", Start.AddSeconds(2));
        Assert.That(queue.Lease("1", Start.AddSeconds(2)), Is.TypeOf<LeaseReply.Finished>());
        Assert.That(queue.Lease("2", Start.AddSeconds(2)), Is.TypeOf<LeaseReply.Finished>());
        Assert.That(queue.Leases.Select(lease => lease.TestBatch), Is.EquivalentTo(new[] { 1, 2, 3 }));
        Assert.That(queue.Leases.All(lease => lease.State == LeaseState.Completed));
    }

    [Test]
    public void Registering_again_or_from_another_agent_adds_only_the_tests_the_queue_lacks()
    {
        var queue = Queue(Batch(1, 200, "A", "B"), Batch(2, 100, "C"));

        queue.Register("1", [Batch(1, 200, "A", "B"), Batch(2, 100, "C")], Start);
        var plan = queue.Register("2", [Batch(1, 300, "A", "B", "E"), Batch(2, 100, "C")], Start);

        Assert.That(
            plan.Select(batch => (batch.Index, string.Join(",", batch.Tests))),
            Is.EqualTo(new[] { (1, "A,B"), (2, "C"), (3, "E") }));
        Assert.That(plan[2].ExpectedMillis, Is.EqualTo(100), "a third of the test batch it came from");
    }

    [Test]
    public void An_agent_leases_only_test_batches_whose_tests_it_discovered()
    {
        var queue = Queue(Batch(1, 900, "Only.On.Agent.One"), Batch(2, 100, "Shared"));
        queue.Register("2", [Batch(1, 100, "Shared")], Start);

        var two = Granted(queue.Lease("2", Start));
        queue.Complete(two.Lease.Id, "2", Start);

        Assert.That(two.Batch.Tests, Is.EqualTo(new[] { "Shared" }));
        Assert.That(queue.Lease("2", Start), Is.TypeOf<LeaseReply.Finished>(), "what is left only agent 1 can run");
        Assert.That(Granted(queue.Lease("1", Start)).Batch.Tests, Is.EqualTo(new[] { "Only.On.Agent.One" }));
        Assert.That(queue.Lease("3", Start), Is.TypeOf<LeaseReply.Unregistered>());
    }

    [Test]
    public void A_lease_whose_agent_stopped_renewing_it_goes_back_in_front_and_is_taken_over()
    {
        var queue = Queue(Batch(1, 900, "A"), Batch(2, 500, "B"), Batch(3, 100, "C"));
        queue.Register("2", queue.Plan, Start);
        var dead = Granted(queue.Lease("1", Start));
        var alive = Granted(queue.Lease("2", Start));

        Assert.That(queue.Heartbeat(alive.Lease.Id, "2", Start.AddSeconds(20)), Is.Not.Null);
        Assert.That(queue.Heartbeat(alive.Lease.Id, "1", Start.AddSeconds(20)), Is.Null, "another agent's lease");
        var third = Granted(queue.Lease("2", Start.AddSeconds(20)));
        var takeover = Granted(queue.Lease("2", Start.AddSeconds(31)));

        Assert.That(third.Batch.Index, Is.EqualTo(3), "before the deadline, the dead agent's test batch stays leased");
        Assert.That(takeover.Batch.Index, Is.EqualTo(1), "the expired test batch comes before anything else");
        Assert.That(takeover.Lease.TakenOverFrom, Is.EqualTo("1"));
        Assert.That(queue.Leases.Single(lease => lease.Id == dead.Lease.Id).State, Is.EqualTo(LeaseState.Expired));
        Assert.That(
            queue.Heartbeat(dead.Lease.Id, "1", Start.AddSeconds(32)),
            Is.Null,
            "an expired lease is not renewed");
        Assert.That(
            queue.Heartbeat(alive.Lease.Id, "2", Start.AddSeconds(32)),
            Is.Not.Null,
            "renewed at 20 s, due at 50 s");
        Assert.That(
            queue.Complete(dead.Lease.Id, "1", Start.AddSeconds(40)),
            Is.EqualTo(CompletionStatus.Duplicate),
            "its tests ran twice");
    }

    [Test]
    public void A_late_completion_before_anyone_took_the_test_batch_over_counts_once()
    {
        var queue = Queue(Batch(1, 900, "A"));
        var late = Granted(queue.Lease("1", Start));

        Assert.That(queue.Complete(late.Lease.Id, "1", Start.AddSeconds(45)), Is.EqualTo(CompletionStatus.Completed));
        Assert.That(
            queue.Lease("1", Start.AddSeconds(46)),
            Is.TypeOf<LeaseReply.Finished>(),
            "the returned test batch was taken off the queue");
        Assert.That(queue.Complete(late.Lease.Id, "2", Start.AddSeconds(46)), Is.EqualTo(CompletionStatus.Unknown));
    }

    [Test]
    public void An_agent_waits_no_longer_than_until_the_earliest_lease_it_could_take_over_is_due()
    {
        var queue = Queue(Batch(1, 900, "A"));
        queue.Register("2", queue.Plan, Start);
        Granted(queue.Lease("1", Start));

        var soon = queue.Lease("2", Start.AddSeconds(29.5));
        var far = queue.Lease("2", Start);

        Assert.That(soon, Is.EqualTo(new LeaseReply.Wait(TimeSpan.FromSeconds(0.5))));
        Assert.That(far, Is.EqualTo(new LeaseReply.Wait(AgentQueue.LongestWait)));
    }

    [Test]
    public void Every_test_runs_exactly_once_across_agents_that_lease_at_random_and_some_of_which_die()
    {
        var random = new Random(13);
        var plan = Enumerable.Range(1, 60)
            .Select(i => Batch(i, random.Next(1, 1000), $"T{i:00}a", $"T{i:00}b"))
            .ToArray();
        var queue = Queue(plan);
        var agents = new[] { "1", "2", "3", "4" };
        foreach (var agent in agents)
        {
            queue.Register(agent, plan, Start);
        }

        var now = Start;
        var ran = new List<int>();
        var dead = new HashSet<string>();
        var finished = new HashSet<string>();
        while (finished.Count + dead.Count < agents.Length)
        {
            now = now.AddSeconds(random.Next(1, 15));
            var agent = agents
                .Where(a => !dead.Contains(a) && !finished.Contains(a))
                .OrderBy(_ => random.Next())
                .First();
            switch (queue.Lease(agent, now))
            {
                case LeaseReply.Granted when dead.Count < 2 && random.Next(10) == 0:
                    dead.Add(agent);
                    break;
                case LeaseReply.Granted granted:
                    if (queue.Complete(granted.Lease.Id, agent, now.AddSeconds(1)) == CompletionStatus.Completed)
                    {
                        ran.Add(granted.Batch.Index);
                    }

                    break;
                case LeaseReply.Finished:
                    finished.Add(agent);
                    break;
            }
        }

        Assert.That(dead, Has.Count.EqualTo(2));
        Assert.That(
            ran.Order(),
            Is.EqualTo(Enumerable.Range(1, 60)),
            "each test batch completed exactly once, the dead agents' ones by others");
        Assert.That(queue.Leases.Count(lease => lease.TakenOverFrom is not null), Is.EqualTo(2));
    }

    [Test]
    public void A_queue_opened_again_for_a_re_run_holds_only_the_tests_without_a_finished_result_and_keeps_its_plan()
    {
        var queue = Queue(Batch(1, 300, "A", "B", "C"), Batch(2, 200, "D"), Batch(3, 100, "E"));
        var first = Granted(queue.Lease("1", Start));
        queue.Complete(first.Lease.Id, "1", Start.AddSeconds(1));
        var second = Granted(queue.Lease("1", Start.AddSeconds(1)));
        queue.Complete(second.Lease.Id, "1", Start.AddSeconds(2));
        var dying = Granted(queue.Lease("1", Start.AddSeconds(2)));

        // B failed in test batch 1, E's agent died with it; A, C and D are finished.
        queue.Reopen(["A", "C", "D"], Start.AddMinutes(10));
        queue.Register("3@rerun", queue.Plan, Start.AddMinutes(10));
        var again = new[]
        {
            Granted(queue.Lease("3@rerun", Start.AddMinutes(10))),
            Granted(queue.Lease("3@rerun", Start.AddMinutes(10))),
        };

        Assert.That(
            again.Select(granted =>
                (granted.Batch.Index, string.Join(",", granted.Batch.Tests), granted.Batch.ExpectedMillis)),
            Is.EqualTo(new[] { (1, "B", 100.0), (3, "E", 100.0) }));
        Assert.That(queue.Lease("3@rerun", Start.AddMinutes(10)), Is.TypeOf<LeaseReply.Wait>(), "its own leases run");
        Assert.That(
            queue.Leases.Single(lease => lease.Id == dying.Lease.Id).State,
            Is.EqualTo(LeaseState.Expired),
            "the dead agent's lease ended");
        Assert.That(
            queue.Plan.Select(batch => batch.Tests.Count),
            Is.EqualTo(new[] { 3, 1, 1 }),
            "the plan a static split cuts is the one of the run");
        foreach (var granted in again)
        {
            queue.Complete(granted.Lease.Id, "3@rerun", Start.AddMinutes(11));
        }

        Assert.That(queue.Lease("3@rerun", Start.AddMinutes(11)), Is.TypeOf<LeaseReply.Finished>());
    }

    [Test]
    public void A_queue_opened_again_before_any_agent_registers_leaves_out_the_finished_tests_it_is_given_later()
    {
        var queue = new AgentQueue("Shop.Tests", Timeout);
        queue.Reopen(["A"], Start);
        queue.Register("2@rerun", [Batch(1, 200, "A", "B"), Batch(2, 100, "C")], Start);

        var leased = Granted(queue.Lease("2@rerun", Start));

        Assert.That((leased.Batch.Index, string.Join(",", leased.Batch.Tests)), Is.EqualTo((1, "B")));
        Assert.That(Granted(queue.Lease("2@rerun", Start)).Batch.Index, Is.EqualTo(2));
        Assert.That(queue.Plan.Sum(batch => batch.Tests.Count), Is.EqualTo(3));
    }
}

public sealed class QueueNamesTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public void Tests_whose_names_the_store_cannot_tell_apart_run_together_and_none_is_lost()
    {
        // Two theory rows whose arguments are lone surrogates: the store keeps both names as
        // "…(U+FFFD)", so the queue knows one name for two tests.
        var tests = SelectableTest.From(Suite.Discovered("A.Text(\"\uD800\")", "A.Text(\"\uDC00\")", "A.Other"));
        var plan = tests
            .Select((test, i) => new TestBatch(i + 1, test.Source, [test], 100 * (i + 1), "isolate"))
            .ToList();
        var names = new QueueNames(plan);
        Assert.That(
            names.Registration.SelectMany(batch => batch.Tests!).Distinct().Count(),
            Is.EqualTo(2),
            "two names for three tests");

        var queue = new AgentQueue("Shop.Tests", TimeSpan.FromSeconds(30));
        var queued = queue.Register(
            "1",
            [
                .. names.Registration.Select((batch, i) =>
                    new QueuedTestBatch(i + 1, [.. batch.Tests!.OfType<string>()], batch.ExpectedMillis)),
            ],
            Start);
        var ran = new List<SelectableTest>();
        while (queue.Lease("1", Start) is LeaseReply.Granted granted)
        {
            var (batch, unknown) = names.ToTestBatch(granted.Batch, "isolate");
            Assert.That(unknown, Is.Zero);
            ran.AddRange(batch!.Tests);
            queue.Complete(granted.Lease.Id, "1", Start);
        }

        Assert.That(ran, Is.EquivalentTo(tests), "each of the three tests ran once");
        Assert.That(queued, Has.Count.EqualTo(2), "the queue holds the shared name once");
    }

    [Test]
    public void A_queued_test_batch_of_names_another_agent_discovered_is_counted_as_unknown()
    {
        var tests = SelectableTest.From(Suite.Discovered("A.One", "A.Two"));
        var names = new QueueNames([new TestBatch(1, tests[0].Source, tests, 200, "fixed-size")]);

        var (batch, unknown) = names.ToTestBatch(
            new QueuedTestBatch(4, ["A.Two", "A.Three", "A.Four"], 300),
            "fixed-size");
        Assert.That(unknown, Is.EqualTo(2));
        Assert.That(
            (batch!.Index, batch.Tests.Single().FullyQualifiedName, batch.ExpectedMillis),
            Is.EqualTo((4, "A.Two", 300.0)));
        Assert.That(names.ToTestBatch(new QueuedTestBatch(5, ["A.Five"], 10), "fixed-size").Batch, Is.Null);
    }

}
