using BatchBuild.Core.Configuration;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Planning;
using static BatchBuild.Core.Tests.Suite;

namespace BatchBuild.Core.Tests;

/// <summary>
/// Whether an assembly's tests start before its listing ends: only when what the store recorded of
/// its last run says the plan will be one test batch of all its tests.
/// </summary>
public class RunAheadTests
{
    [Test]
    public void A_numeric_size_runs_ahead_when_the_last_listing_fits_in_it()
    {
        StartCostRecord[] history =
            [Listing(2000, tests: 120, "old", Now.AddHours(-1)), Listing(2000, tests: 90, "b-0")];

        var fits = RunAhead.Decide(Settings(BatchingStrategyType.FixedSize, size: 100), AssemblyName, history, 2);
        var over = RunAhead.Decide(Settings(BatchingStrategyType.FixedSize, size: 80), AssemblyName, history, 2);

        Assert.That(
            fits,
            Is.EqualTo(new RunAheadDecision(true, "its last listing found 90 tests, within Size=100", Digest)));
        Assert.That(over.Starts, Is.False, over.Reason);
    }

    [Test]
    public void Size_auto_runs_whole_when_the_test_time_a_split_saves_is_no_more_than_the_listing()
    {
        // h = 1 s, r = 1, W = 4 s on 2 workers: one test batch ends at 5 s, a split no sooner than
        // L + 1 + 2 s. r·W·(1 − 1/m) = 2 s: a listing of 2 s or more makes one test batch the faster.
        StartCostRecord[] run = [StartCostRun(1000, 3000, 2000), StartCostRun(1000, 3000, 2000)];

        var slowListing = RunAhead.Decide(AutoSizePlanTests.AutoSize(), AssemblyName, [.. run, Listing(2500)], 2);
        var quickListing = RunAhead.Decide(AutoSizePlanTests.AutoSize(), AssemblyName, [.. run, Listing(1500)], 2);
        var oneWorker = RunAhead.Decide(AutoSizePlanTests.AutoSize(), AssemblyName, [.. run, Listing(10)], 1);

        Assert.That(slowListing.Starts, Is.True, slowListing.Reason);
        Assert.That(
            slowListing.Reason,
            Is.EqualTo(
                "one test batch is predicted 5.0 s, a split on 2 workers at best 5.5 s after its 2.5 s listing"));
        Assert.That(quickListing.Starts, Is.False, quickListing.Reason);
        Assert.That(oneWorker.Starts, Is.True, "on one worker a split cannot gain");
    }

    [Test]
    public void The_digest_of_a_test_list_names_its_tests_in_any_order_and_once()
    {
        var digest = TestListDigest.Of(["b", "a", "a"]);

        Assert.That(digest, Is.EqualTo(TestListDigest.Of(["a", "b"])));
        Assert.That(digest, Is.Not.EqualTo(TestListDigest.Of(["a", "b", "c"])));
        Assert.That(digest, Is.Not.EqualTo(TestListDigest.Of(["a\nb"])), "a line break in an ID is not a second ID");
        Assert.That(TestListDigest.IsDigest(digest), Is.True);
        Assert.That(
            TestListDigest.Of(["a", "b"], TestListDigest.OfFile(typeof(RunAheadTests).Assembly.Location)),
            Is.Not.EqualTo(TestListDigest.Of(["a", "b"])),
            "another build of the assembly lists other tests");
        Assert.That(TestListDigest.OfFile("/no/such/Assembly.dll"), Is.Empty);
        Assert.That(TestListDigest.IsDigest(digest.ToUpperInvariant()), Is.False);
    }

    [Test]
    public void Nothing_runs_ahead_without_a_listing_on_record_or_under_settings_that_cut_a_whole_assembly()
    {
        StartCostRecord[] history = [StartCostRun(1000, 3000, 2000), Listing(60_000)];
        var auto = AutoSizePlanTests.AutoSize();
        var flaky = auto with
        {
            Flakiness = FlakinessSettings.Defaults with { Type = FlakinessStrategyType.Probability },
        };

        var decisions = new Dictionary<string, RunAheadDecision>
        {
            ["no listing"] = RunAhead.Decide(auto, AssemblyName, [history[0]], 2),
            ["a listing without its digest"] = RunAhead.Decide(
                auto, AssemblyName, [history[0], history[1] with { ListDigest = null }], 2),
            ["another assembly's listing"] = RunAhead.Decide(auto, "Other", history, 2),
            ["isolate"] = RunAhead.Decide(Settings(BatchingStrategyType.Isolate), AssemblyName, history, 2),
            ["class-name"] = RunAhead.Decide(Settings(BatchingStrategyType.ClassName), AssemblyName, history, 2),
            ["DurationMillis"] = RunAhead.Decide(
                AutoSizePlanTests.AutoSize(durationMillis: 10_000), AssemblyName, history, 2),
            ["LastMileLength"] = RunAhead.Decide(
                AutoSizePlanTests.AutoSize(lastMileLength: 3), AssemblyName, history, 2),
            ["flakiness"] = RunAhead.Decide(flaky, AssemblyName, history, 2),
            ["no test batch of the last run"] = RunAhead.Decide(auto, AssemblyName, [Listing(60_000)], 2),
        };

        Assert.That(decisions.Where(pair => pair.Value.Starts).Select(pair => pair.Key), Is.Empty);
        Assert.That(
            RunAhead.Decide(auto, AssemblyName, history, 2).Starts,
            Is.True,
            "the same history otherwise runs ahead");
    }

    // A listing whose digest is on record, as every listing since digests were recorded.
    private static StartCostRecord Listing(
        double millis,
        int tests = 10,
        string batchId = "b-0",
        DateTimeOffset? at = null) =>
        StartCostListing(millis, tests, batchId, at, Digest);

    private static readonly string Digest = TestListDigest.Of(["a", "b"]);
}
