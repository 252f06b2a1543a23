using BatchBuild.Core.Agents;
using BatchBuild.Core.Configuration;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Planning;

namespace BatchBuild.Core.Tests;

public sealed class AgentTests
{
    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    [TestCase("SYSTEM_JOBPOSITIONINPHASE", "2", "SYSTEM_TOTALJOBSINPHASE", "4", 2, 4, "Azure Pipelines")]
    [TestCase("CI_NODE_INDEX", "3", "CI_NODE_TOTAL", "3", 3, 3, "GitLab")]
    [TestCase("CIRCLE_NODE_INDEX", "0", "CIRCLE_NODE_TOTAL", "2", 1, 2, "CircleCI")]
    [TestCase("BUILDKITE_PARALLEL_JOB", "4", "BUILDKITE_PARALLEL_JOB_COUNT", "5", 5, 5, "Buildkite")]
    public void Each_CIs_parallel_job_variables_name_the_agent(
        string indexVariable,
        string index,
        string countVariable,
        string count,
        int agent,
        int agents,
        string ci)
    {
        var (slot, problems) = AgentSlot.Resolve(
            null,
            null,
            Environment((indexVariable, index), (countVariable, count)));

        Assert.That(problems, Is.Empty);
        Assert.That((slot!.Index, slot.Count), Is.EqualTo((agent, agents)));
        Assert.That(slot.Origin, Does.StartWith(ci));
    }

    [TestCase(3, true, null, DistributionType.Queue)]
    [TestCase(3, false, null, DistributionType.Static)]
    [TestCase(3, true, DistributionType.Static, DistributionType.Static)]
    [TestCase(3, true, DistributionType.None, DistributionType.None)]
    [TestCase(1, true, DistributionType.Queue, DistributionType.None)]
    public void More_than_one_agent_share_from_the_queue_with_a_server_and_split_statically_without(
        int agents,
        bool server,
        DistributionType? set,
        DistributionType expected) =>
        Assert.That(
            (AgentSettings.Defaults with { Distribution = set }).DistributionFor(agents, server),
            Is.EqualTo(expected));

    [Test]
    public void The_settings_win_over_the_CI_and_nothing_is_one_agent()
    {
        var azure = Environment(("SYSTEM_JOBPOSITIONINPHASE", "1"), ("SYSTEM_TOTALJOBSINPHASE", "8"));

        Assert.That(
            AgentSlot.Resolve(2, 3, azure).Slot,
            Is.EqualTo(new AgentSlot(2, 3, "the AgentIndex and AgentCount settings")));
        Assert.That(AgentSlot.Resolve(null, null, Environment()).Slot, Is.EqualTo(AgentSlot.Single));
        Assert.That(
            AgentSlot.Resolve(null, null, Environment(("CI_NODE_INDEX", "2"))).Slot,
            Is.EqualTo(AgentSlot.Single),
            "an index without a count is not a parallel job");
    }

    [TestCase(4, 3, "agent 4 of 3 from the AgentIndex and AgentCount settings is not an agent")]
    [TestCase(2, null, "AgentIndex and AgentCount go together")]
    public void An_index_that_names_no_agent_is_an_error(int? index, int? count, string message)
    {
        var (slot, problems) = AgentSlot.Resolve(index, count, Environment());

        Assert.That(slot, Is.Null);
        Assert.That(problems.Single().Code, Is.EqualTo("BB1013"));
        Assert.That(problems.Single().Message, Does.StartWith(message));
    }

    [Test]
    public void A_CI_index_that_is_not_a_number_is_an_error_naming_the_variables()
    {
        var (slot, problems) = AgentSlot.Resolve(
            null,
            null,
            Environment(("CIRCLE_NODE_INDEX", "x"), ("CIRCLE_NODE_TOTAL", "2")));

        Assert.That(slot, Is.Null);
        Assert.That(
            problems.Single().Message,
            Does.Contain("CircleCI (CIRCLE_NODE_INDEX=x, CIRCLE_NODE_TOTAL=2) are not whole numbers"));
    }

    [Test]
    public void The_static_split_gives_each_test_batch_to_one_agent_longest_first_to_the_least_loaded()
    {
        var tests = SelectableTest.From(Suite.Discovered("A.One", "A.Two", "A.Three", "A.Four", "A.Five"));
        TestBatch Batch(int index, double millis) => new(index, Suite.Assembly, [tests[index - 1]], millis, "isolate");
        TestBatch[] plan = [Batch(1, 900), Batch(2, 500), Batch(3, 400), Batch(4, 300), Batch(5, 100)];

        var shares = AgentSplit.Assign(plan, 2);

        Assert.That(
            shares.Select(share => string.Join(",", share.Select(batch => batch.Index))),
            Is.EquivalentTo(new[] { "1,4", "2,3,5" }),
            "900 to one agent; 500 and 400 to the other; 300 back to the first on the tie at 900; 100 to the second");
        var second = shares.ToList().FindIndex(share => share.Count == 3) + 1;
        Assert.That(
            AgentSplit.ShareOf(plan, new AgentSlot(second, 2, "test")).Select(batch => batch.Index),
            Is.EqualTo(new[] { 2, 3, 5 }));
    }

    [Test]
    public void The_projects_of_a_solution_split_one_by_one_do_not_all_give_their_first_test_batch_to_the_same_agent()
    {
        var firsts = new[] { "Shop.Tests", "Billing.Tests", "Search.Tests", "Catalog.Tests" }.Select(assembly =>
        {
            var test = SelectableTest.From([DiscoveredTest.FromName($"/agent-7/bin/{assembly}.dll", "A.One")])[0];
            var shares = AgentSplit.Assign([new TestBatch(1, test.Source, [test], 1000, "isolate")], 4);
            return shares.ToList().FindIndex(share => share.Count == 1) + 1;
        }).ToList();

        Assert.That(firsts.Distinct().Count(), Is.GreaterThan(1), $"agents {string.Join(", ", firsts)}");
        var elsewhere =
            SelectableTest.From([DiscoveredTest.FromName("/agent-2/checkout/bin/Shop.Tests.dll", "A.One")])[0];
        var shares = AgentSplit.Assign([new TestBatch(1, elsewhere.Source, [elsewhere], 1000, "isolate")], 4);
        Assert.That(
            shares.ToList().FindIndex(share => share.Count == 1) + 1,
            Is.EqualTo(firsts[0]),
            "by the assembly's name, not its path, which differs between agents");
    }

    [Test]
    public void Without_history_the_split_is_by_count_and_every_agent_computes_the_same_one()
    {
        var tests = SelectableTest.From(Suite.Discovered([.. Enumerable.Range(1, 10).Select(i => $"A.T{i:00}")]));
        var plan = BatchPlanner.Cut(tests, [], Suite.Settings(BatchingStrategyType.Isolate));

        var shares = Enumerable.Range(1, 3)
            .Select(agent => AgentSplit.ShareOf(plan, new AgentSlot(agent, 3, "test")))
            .ToList();
        var again = Enumerable.Range(1, 3)
            .Select(agent => AgentSplit.ShareOf(plan, new AgentSlot(agent, 3, "test")))
            .ToList();

        Assert.That(shares.Select(share => share.Count).Order(), Is.EqualTo(new[] { 3, 3, 4 }));
        Assert.That(
            shares.SelectMany(share => share).Select(batch => batch.Index).Order(),
            Is.EqualTo(Enumerable.Range(1, 10)),
            "every test batch once");
        Assert.That(
            again.Select(share => share.Select(batch => batch.Index)),
            Is.EqualTo(shares.Select(share => share.Select(batch => batch.Index))));
    }
}
