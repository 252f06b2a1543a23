using System.Globalization;
using BatchBuild.Core.Api;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Store;

namespace BatchBuild.Store.Tests;

/// <summary>
/// Results whose texts are as long as the API accepts, in ASCII, in CJK and in characters beyond
/// U+FFFF, on a real SQLite file and a real PostgreSQL database: stored, read back exactly, and
/// told apart or recognised as sent before just as short ones are.
/// </summary>
[TestFixtureSource(typeof(TestDatabase), nameof(TestDatabase.Providers))]
public sealed class LongTextTests(string provider) : DatabaseTest(provider)
{
    /// <summary>
    /// Turns a version 7 database back into version 6: the indexes on the texts themselves, and no
    /// digests; the caller sets the version.
    /// </summary>
    internal const string UndoVersion7 = """
        DROP INDEX ux_test_results_attempt;
        DROP INDEX ix_test_results_test;
        DROP INDEX ix_test_results_run;
        DROP INDEX ix_test_results_agent;
        ALTER TABLE test_results DROP COLUMN assembly_digest;
        ALTER TABLE test_results DROP COLUMN name_digest;
        ALTER TABLE test_results DROP COLUMN agent_digest;
        ALTER TABLE test_results DROP COLUMN attempt_digest;
        CREATE UNIQUE INDEX ux_test_results_attempt ON test_results (batch_key, assembly, full_name, attempt);
        CREATE INDEX ix_test_results_test ON test_results (assembly, full_name, finished_at);
        CREATE INDEX ix_test_results_run ON test_results (batch_key, attempt, agent, assembly, test_batch);
        CREATE INDEX ix_test_results_agent ON test_results (batch_key, agent);
        """;

    private static readonly DateTimeOffset Morning = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);

    private static string Text(string script, int length, int seed) => LongText.Of(script, length, seed);

    // The longest text the API accepts in every field, each field different.
    private static TestResultRecord Longest(
        string script, BatchId id, TestRunOutcome outcome = TestRunOutcome.Failed) =>
        new(
            id,
            ResultDto.MaxTestBatch,
            new TestKey(Text(script, ResultDto.MaxTextLength, 1), Text(script, ResultDto.MaxTextLength, 2)),
            Text(script, ResultDto.MaxTextLength, 3),
            outcome,
            100,
            Morning,
            Text(script, ResultDto.MaxTextLength, 4),
            Text(script, ResultDto.MaxTextLength, 5),
            Text(script, ResultDto.MaxErrorLength, 6));

    // The text with its last character (one or two code units) replaced by another of its script.
    private static string LastChanged(string text, string script)
    {
        var last = char.IsLowSurrogate(text[^1]) ? 2 : 1;
        var other = Text(script, last, seed: 7);
        return text[..^last] + (other == text[^last..] ? Text(script, last, seed: 8) : other);
    }

    [TestCaseSource(typeof(LongText), nameof(LongText.Scripts))]
    public async Task A_result_with_the_longest_text_the_api_accepts_in_every_field_is_stored_and_read_back_exactly(
        string script)
    {
        var id = BatchId.Parse(Text(script, BatchId.MaxLength, 9));
        var result = Longest(script, id);
        using var store = Database.Open();

        var batch = (await store.RecordResultsAsync([result])).Single();
        var page = await store.GetResultsAsync(id, 1, 1, 10);
        var timeline = await store.GetTimelineAsync(id, 1, 1, 10);
        var runs = await store.GetTestRunsAsync(result.Test, 10);
        var durations = await store.GetDurationsAsync(new DurationQuery([result.Test], 90, null, 10));
        var history = await store.GetHistoryAsync([result.Test.Assembly], null, 10);

        Assert.That((batch.Id, batch.Counts), Is.EqualTo((id, new BatchCounts(0, 1, 0, 1, 1, 100))));
        Assert.That(page.Results.Single(), Is.EqualTo(result), "read back exactly");
        Assert.That(timeline.Spans.Single().Agent, Is.EqualTo(result.Agent));
        Assert.That(runs.Single(), Is.EqualTo(result));
        Assert.That(durations.Single().Test, Is.EqualTo(result.Test));
        Assert.That(history.Single().Test, Is.EqualTo(result.Test));
    }

    [TestCaseSource(typeof(LongText), nameof(LongText.Scripts))]
    public async Task A_long_result_sent_twice_is_kept_once_and_texts_differing_only_in_the_last_character_are_distinct(
        string script)
    {
        var id = BatchId.Parse(Text(script, BatchId.MaxLength, 9));
        var first = Longest(script, id);
        var twin = first with
        {
            Test = first.Test with { FullyQualifiedName = LastChanged(first.Test.FullyQualifiedName, script) },
            Outcome = TestRunOutcome.Passed,
        };
        var retried = first with
        {
            Attempt = LastChanged(first.Attempt, script),
            Agent = LastChanged(first.Agent, script),
            Outcome = TestRunOutcome.Passed,
        };
        using var store = Database.Open();

        var recorded = (await store.RecordResultsAsync([first, twin])).Single();
        var again = (await store.RecordResultsAsync([first, twin])).Single();
        var afterRetry = (await store.RecordResultsAsync([retried, first])).Single();

        Assert.That(recorded.Counts, Is.EqualTo(new BatchCounts(1, 1, 0, 1, 1, 200)), "two tests");
        Assert.That(again.Counts, Is.EqualTo(recorded.Counts), "sent again, recorded once");
        Assert.That(
            afterRetry.Counts,
            Is.EqualTo(new BatchCounts(2, 0, 0, 2, 2, 300, Flaky: 1, Retried: 1)),
            "another attempt on another agent is a new run");
        Assert.That(afterRetry.Counts, Is.EqualTo(await store.RecountAsync(id, 1)));
        Assert.That((await store.GetResultsAsync(id, 1, 1, 10)).Total, Is.EqualTo(3));
        Assert.That(await store.GetTestRunsAsync(twin.Test, 10), Is.EqualTo(new[] { twin }));
    }

    [Test]
    public async Task Durations_of_tests_in_many_assemblies_are_read_at_once_and_each_test_gets_its_own_runs()
    {
        string[] assemblies =
        [
            .. Enumerable.Range(0, 300).Select(i => $"Tests{i}"),
            Text("cjk", ResultDto.MaxTextLength, 10),
            Text("beyond-bmp", ResultDto.MaxTextLength, 11),
        ];
        var id = BatchId.Parse("durations");
        using var store = Database.Open();
        var results = assemblies.SelectMany((assembly, i) => new[]
        {
            new TestResultRecord(
                id,
                1,
                new TestKey(assembly, "A.One"),
                "A.One",
                TestRunOutcome.Passed,
                100 + i,
                Morning,
                "agent-1",
                "run-1",
                null),
            new TestResultRecord(
                id,
                2,
                new TestKey(assembly, "A.One"),
                "A.One",
                TestRunOutcome.Failed,
                200 + i,
                Morning.AddMinutes(1),
                "agent-1",
                "run-2",
                null),
            new TestResultRecord(
                id,
                1,
                new TestKey(assembly, "A.Skipped"),
                "A.Skipped",
                TestRunOutcome.Skipped,
                5,
                Morning,
                "agent-1",
                "run-1",
                null),
        }).ToList();
        for (var i = 0; i < results.Count; i += 500)
        {
            await store.RecordResultsAsync(results.Skip(i).Take(500).ToList());
        }

        var asked = assemblies
            .Select(assembly => new TestKey(assembly, "A.One"))
            .Append(new TestKey("Tests0", "A.Skipped"))
            .Append(new TestKey("Unknown", "A.One"))
            .ToList();
        var durations = await store.GetDurationsAsync(new DurationQuery(asked, 100, null, 10));
        var latest = await store.GetDurationsAsync(new DurationQuery(asked, 100, null, 1));

        Assert.That(
            durations.ToDictionary(d => d.Test, d => (d.Millis, d.Runs)),
            Is.EquivalentTo(assemblies.Select((assembly, i) =>
                KeyValuePair.Create(new TestKey(assembly, "A.One"), ((double)200 + i, 2)))),
            "skipped runs and unknown tests have no durations");
        Assert.That(latest.Select(d => d.Runs), Is.All.EqualTo(1), "only the newest run of each test");
    }

    [Test]
    public async Task A_version_6_database_is_migrated_to_digest_keys_keeping_its_results_and_duplicate_detection()
    {
        var id = BatchId.Parse("nightly-6");
        var cjk = Text("cjk", 200, 12);
        var beyond = Text("beyond-bmp", 200, 13);
        TestResultRecord[] sent =
        [
            new(
                id,
                1,
                new TestKey("Tests", "A.One"),
                "A.One",
                TestRunOutcome.Passed,
                100,
                Morning,
                "agent-1",
                "run-1",
                null),
            new(id, 1, new TestKey(cjk, beyond), beyond, TestRunOutcome.Failed, 100, Morning, cjk, beyond, "boom"),
        ];
        using (var store = Database.Open())
        {
            await store.RecordResultsAsync(sent);
        }

        Database.Execute(Database.Provider == "sqlite"
            ? $"{RerunTests.UndoVersion8} {UndoVersion7} PRAGMA user_version = 6;"
            : $"{RerunTests.UndoVersion8} {UndoVersion7} DELETE FROM batchbuild_schema WHERE version > 6;");
        Assert.That(Convert.ToInt32(Database.Execute(Version), CultureInfo.InvariantCulture), Is.EqualTo(6));

        using var migrated = Database.Open();
        var again = (await migrated.RecordResultsAsync(sent)).Single();
        var longer = Longest("cjk", id);
        var withLong = (await migrated.RecordResultsAsync([longer])).Single();

        Assert.That(Convert.ToInt32(Database.Execute(Version), CultureInfo.InvariantCulture), Is.EqualTo(8));
        Assert.That(
            Database.Execute($"SELECT name_digest FROM test_results WHERE attempt = '{beyond}'"),
            Is.EqualTo(TextDigest.Of(beyond)),
            "the database's digest is the store's");
        Assert.That(
            Database.Execute($"SELECT agent_digest FROM test_results WHERE attempt = '{beyond}'"),
            Is.EqualTo(TextDigest.Of(cjk)));
        Assert.That(
            again.Counts,
            Is.EqualTo(new BatchCounts(1, 1, 0, 2, 2, 200)),
            "the results sent before the migration are recognised");
        Assert.That(withLong.Counts, Is.EqualTo(new BatchCounts(1, 2, 0, 3, 3, 300)));
        Assert.That(withLong.Counts, Is.EqualTo(await migrated.RecountAsync(id, 1)));
        Assert.That((await migrated.GetTestRunsAsync(new TestKey(cjk, beyond), 10)).Single(), Is.EqualTo(sent[1]));
        var durations = await migrated.GetDurationsAsync(new DurationQuery([sent[0].Test, sent[1].Test], 90, null, 10));
        Assert.That(durations.Count, Is.EqualTo(2));
        Assert.That(Convert.ToInt32(Database.Execute(Database.Provider == "sqlite"
            ? "SELECT COUNT(*) FROM sqlite_master "
                + "WHERE type = 'index' AND tbl_name = 'test_results' AND sql LIKE '%_digest%'"
            : "SELECT COUNT(*) FROM pg_indexes "
                + "WHERE tablename = 'test_results' AND indexdef LIKE '%_digest%'"),
                CultureInfo.InvariantCulture),
            Is.EqualTo(4));
    }

    private string Version =>
        Database.Provider == "sqlite" ? "PRAGMA user_version" : "SELECT MAX(version) FROM batchbuild_schema";
}
