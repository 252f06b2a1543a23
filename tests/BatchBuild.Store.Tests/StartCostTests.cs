using System.Globalization;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Store;

namespace BatchBuild.Store.Tests;

/// <summary>
/// What test batches and listings cost beside their tests, recorded and read back on a real SQLite
/// file and a real PostgreSQL database.
/// </summary>
[TestFixtureSource(typeof(TestDatabase), nameof(TestDatabase.Providers))]
public sealed class StartCostTests(string provider) : DatabaseTest(provider)
{
    private static readonly DateTimeOffset Morning = new(2026, 12, 7, 8, 0, 0, TimeSpan.Zero);

    // Whole milliseconds: PostgreSQL keeps microseconds, SQLite's text ten-millionths.
    private static StartCostRecord Cost(
        string assembly,
        int minute,
        StartCostKind kind = StartCostKind.TestBatch,
        string batch = "ci-7",
        double start = 1200) =>
        new(assembly, kind, start, start + 3000, 2500, 40, batch, Morning.AddMinutes(minute));

    private static StartCostQuery Query(params string[] assemblies) =>
        new(assemblies, null, StartCostQuery.DefaultRunsPerAssembly);

    [Test]
    public async Task Start_costs_of_both_kinds_are_read_back_as_recorded_newest_first()
    {
        using var store = Database.Open();
        StartCostRecord[] sent =
        [
            Cost("Markdig.Tests", 1),
            Cost("Markdig.Tests", 2, StartCostKind.Listing) with { TestMillis = 0, Tests = 3796 },
            Cost("Humanizer.Tests", 3, start: 4012.5),
        ];

        await store.RecordStartCostsAsync(sent);
        var read = await store.GetStartCostsAsync(Query("Markdig.Tests", "Humanizer.Tests", "Unknown.Tests"));

        Assert.That(read, Is.EqualTo(sent.Reverse()));
    }

    [Test]
    public async Task Only_the_newest_runs_of_each_assembly_and_kind_are_read()
    {
        using var store = Database.Open();
        await store.RecordStartCostsAsync(
        [
            .. Enumerable.Range(1, 5).Select(minute => Cost("A.Tests", minute)),
            .. Enumerable.Range(1, 3).Select(minute => Cost("A.Tests", minute, StartCostKind.Listing)),
            .. Enumerable.Range(1, 4).Select(minute => Cost("B.Tests", minute)),
        ]);

        var read = await store.GetStartCostsAsync(Query("A.Tests", "B.Tests") with { RunsPerAssembly = 2 });

        Assert.That(
            read.Select(cost => (cost.Assembly, cost.Kind, cost.FinishedAt.Minute)),
            Is.EquivalentTo(new[]
            {
                ("A.Tests", StartCostKind.TestBatch, 5), ("A.Tests", StartCostKind.TestBatch, 4),
                ("A.Tests", StartCostKind.Listing, 3), ("A.Tests", StartCostKind.Listing, 2),
                ("B.Tests", StartCostKind.TestBatch, 4), ("B.Tests", StartCostKind.TestBatch, 3),
            }));
        Assert.That(read.Select(cost => cost.FinishedAt), Is.Ordered.Descending, "newest first");
    }

    [Test]
    public async Task A_query_leaves_out_runs_before_its_window_and_those_of_the_batch_being_planned()
    {
        using var store = Database.Open();
        await store.RecordStartCostsAsync(
        [
            Cost("A.Tests", 1, batch: "ci-6"),
            Cost("A.Tests", 30, batch: "ci-7"),
            Cost("A.Tests", 40, batch: "ci-8"),
            Cost("A.Tests", 50, batch: "ci-9"),
        ]);

        var read = await store.GetStartCostsAsync(
            new StartCostQuery(["A.Tests"], Morning.AddMinutes(30), 10, ExcludeBatchId: "ci-9"));

        Assert.That(read.Select(cost => cost.BatchId), Is.EqualTo(new[] { "ci-8", "ci-7" }));
    }

    [Test]
    public async Task Start_costs_are_recorded_all_or_none()
    {
        using var store = Database.Open();
        await store.RecordStartCostsAsync([Cost("A.Tests", 1)]);

        // The database refuses one record of the last of several statements, as a full disk or a
        // lost connection would.
        Database.Execute(Database.Provider == "sqlite"
            ? """
              CREATE TRIGGER refuse_poison BEFORE INSERT ON start_costs WHEN NEW.assembly = 'Poison.Tests'
              BEGIN SELECT RAISE(ABORT, 'refused'); END;
              """
            : """
              CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
              BEGIN
                  IF NEW.assembly = 'Poison.Tests' THEN RAISE EXCEPTION 'refused'; END IF;
                  RETURN NEW;
              END $$;
              CREATE TRIGGER refuse_poison BEFORE INSERT ON start_costs
                  FOR EACH ROW EXECUTE FUNCTION refuse_poison();
              """);
        StartCostRecord[] costs =
        [
            .. Enumerable.Range(2, 1100).Select(i => Cost($"Many{i % 7}.Tests", i)),
            Cost("Poison.Tests", 2000),
        ];

        Assert.That(async () => await store.RecordStartCostsAsync(costs), Throws.Exception);
        Assert.That(Count("SELECT COUNT(*) FROM start_costs"), Is.EqualTo(1), "only the earlier record");
        Assert.That(
            await store.GetStartCostsAsync(Query([.. Enumerable.Range(0, 7).Select(i => $"Many{i}.Tests")])),
            Is.Empty);
    }

    [Test]
    public async Task Only_the_newest_hundred_of_each_assembly_and_kind_are_kept()
    {
        using var store = Database.Open();
        await store.RecordStartCostsAsync([.. Enumerable.Range(1, 60).Select(i => Cost("A.Tests", i))]);
        await store.RecordStartCostsAsync(
        [
            .. Enumerable.Range(61, 60).Select(i => Cost("A.Tests", i)),
            Cost("A.Tests", 1, StartCostKind.Listing),
            Cost("B.Tests", 1),
        ]);

        var kept = await store.GetStartCostsAsync(Query("A.Tests", "B.Tests") with { RunsPerAssembly = 1000 });

        Assert.That(Count("SELECT COUNT(*) FROM start_costs"), Is.EqualTo(SqlBatchStore.StartCostsKept + 2));
        Assert.That(
            kept.Where(cost => cost is { Assembly: "A.Tests", Kind: StartCostKind.TestBatch })
                .Select(cost => (int)(cost.FinishedAt - Morning).TotalMinutes),
            Is.EqualTo(Enumerable.Range(21, 100).Reverse()),
            "the oldest twenty went");
        Assert.That(kept.Count(cost => cost.Kind == StartCostKind.Listing), Is.EqualTo(1), "a kind of its own");
        Assert.That(kept.Count(cost => cost.Assembly == "B.Tests"), Is.EqualTo(1), "an assembly of its own");
    }

    [Test]
    public async Task Measurements_a_clock_got_wrong_are_clamped_and_text_the_database_cannot_keep_is_replaced()
    {
        using var store = Database.Open();
        await store.RecordStartCostsAsync(
        [
            new StartCostRecord(
                "Odd\0.Tests", StartCostKind.TestBatch, -3, double.PositiveInfinity, double.NaN, -1, "ci-7", Morning),
        ]);

        var read = (await store.GetStartCostsAsync(Query("Odd\0.Tests"))).Single();

        Assert.That(
            read,
            Is.EqualTo(new StartCostRecord(
                "Odd\uFFFD.Tests",
                StartCostKind.TestBatch,
                0,
                TestResultRecord.MaxDurationMillis,
                0,
                0,
                "ci-7",
                Morning)));
        Assert.That(
            async () => await store.RecordStartCostsAsync([Cost("A.Tests", 1) with { Kind = (StartCostKind)9 }]),
            Throws.ArgumentException);
    }

    [Test]
    public async Task A_kind_this_version_does_not_know_is_left_out_of_the_answer()
    {
        using var store = Database.Open();
        await store.RecordStartCostsAsync([Cost("A.Tests", 1)]);
        Database.Execute("UPDATE start_costs SET kind = 'Warmup'");
        await store.RecordStartCostsAsync([Cost("A.Tests", 2, StartCostKind.Listing)]);

        var read = await store.GetStartCostsAsync(Query("A.Tests"));

        Assert.That(read.Single().Kind, Is.EqualTo(StartCostKind.Listing));
    }

    [Test]
    public async Task A_store_of_the_previous_version_gains_the_start_costs_and_keeps_its_results_and_version()
    {
        var id = BatchId.Parse("ci-5");
        var result = new TestResultRecord(
            id, 1, new TestKey("A.Tests", "A.One"), "A.One", TestRunOutcome.Passed, 100, Morning, "agent-1", "run-1");
        using (var store = Database.Open())
        {
            await store.RecordResultsAsync([result]);
        }

        // The previous version's schema is this one's without the table.
        Database.Execute("DROP TABLE start_costs");
        Assert.That(Count(Tables("start_costs")), Is.Zero);

        using var upgraded = Database.Open();
        await upgraded.RecordStartCostsAsync([Cost("A.Tests", 1)]);

        Assert.That(Count(Tables("start_costs")), Is.EqualTo(1));
        Assert.That(
            Count(Database.Provider == "sqlite"
                ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'ix_start_costs_recent'"
                : "SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'ix_start_costs_recent'"),
            Is.EqualTo(1));
        Assert.That(
            Count(Database.Provider == "sqlite" ? "PRAGMA user_version" : "SELECT MAX(version) FROM batchbuild_schema"),
            Is.EqualTo(8),
            "a store that gains the table stays at its version, which the previous version still opens");
        Assert.That((await upgraded.GetStartCostsAsync(Query("A.Tests"))).Single(), Is.EqualTo(Cost("A.Tests", 1)));
        Assert.That((await upgraded.GetTestRunsAsync(result.Test, 10)).Single(), Is.EqualTo(result));
    }

    [Test]
    public async Task A_listing_keeps_the_digest_of_its_tests_and_a_table_made_without_the_column_gains_it()
    {
        var digest = TestListDigest.Of(["id-1", "id-2"]);
        var listing = Cost("A.Tests", 1, StartCostKind.Listing) with { ListDigest = digest };
        using (var store = Database.Open())
        {
            await store.RecordStartCostsAsync([listing]);
        }

        // The table as the version before the digest made it.
        Database.Execute("ALTER TABLE start_costs DROP COLUMN list_digest");
        using var upgraded = Database.Open();
        var next = listing with { FinishedAt = listing.FinishedAt.AddMinutes(1) };
        await upgraded.RecordStartCostsAsync([next]);
        var read = await upgraded.GetStartCostsAsync(Query("A.Tests"));

        Assert.That(
            read,
            Is.EqualTo(new[] { next, listing with { ListDigest = null } }),
            "a record made before the column has none");
        Assert.That(
            Count(Database.Provider == "sqlite"
                ? "SELECT COUNT(*) FROM pragma_table_info('start_costs') WHERE name = 'list_digest'"
                : "SELECT COUNT(*) FROM information_schema.columns WHERE table_name = 'start_costs' "
                    + "AND column_name = 'list_digest' AND table_schema = current_schema()"),
            Is.EqualTo(1));
    }

    [Test]
    public async Task Only_a_well_formed_listing_digest_is_kept()
    {
        using var store = Database.Open();
        await store.RecordStartCostsAsync([Cost("A.Tests", 2) with { ListDigest = "not a digest" }]);

        Assert.That((await store.GetStartCostsAsync(Query("A.Tests"))).Single().ListDigest, Is.Null);
    }

    private string Tables(string name) =>
        Database.Provider == "sqlite"
            ? $"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '{name}'"
            : $"SELECT COUNT(*) FROM pg_tables WHERE tablename = '{name}'";

    private int Count(string sql) => Convert.ToInt32(Database.Execute(sql), CultureInfo.InvariantCulture);
}
