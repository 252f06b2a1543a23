using BatchBuild.Core.Batches;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Running;
using BatchBuild.Core.Store;
using Microsoft.Data.Sqlite;

namespace BatchBuild.Store.Tests;

/// <summary>The embedded store on real SQLite files in a temporary folder.</summary>
public sealed class SqliteBatchStoreTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private string _folder = string.Empty;

    private string StorePath => Path.Combine(_folder, "nested", "batchbuild.db");

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("batchbuild-store-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private static TestResultRecord Result(
        string assembly,
        string name,
        double millis,
        DateTimeOffset at,
        TestRunOutcome outcome = TestRunOutcome.Passed,
        string batch = "b-1") =>
        new(
            BatchId.Parse(batch),
            1,
            new TestKey(assembly, name),
            name,
            outcome,
            millis,
            at,
            "agent",
            Guid.NewGuid().ToString("N"));

    [Test]
    public async Task Recorded_results_come_back_as_history_of_their_assembly()
    {
        using (var store = SqliteBatchStore.Open(StorePath))
        {
            await store.RecordResultsAsync([
                Result("Tests", "A.One", 120, Now.AddMinutes(-5)),
                Result("Tests", "A.Two", 80, Now.AddMinutes(-4), TestRunOutcome.Failed),
                Result("Other", "B.One", 5, Now.AddMinutes(-3)),
            ]);
        }

        using var reopened = SqliteBatchStore.Open(StorePath);
        var history = await reopened.GetHistoryAsync(["Tests"], since: null, runsPerTest: 10);

        Assert.That(history, Is.EquivalentTo(new[]
        {
            new DurationRecord(new TestKey("Tests", "A.One"), 120, TestRunOutcome.Passed, Now.AddMinutes(-5)),
            new DurationRecord(new TestKey("Tests", "A.Two"), 80, TestRunOutcome.Failed, Now.AddMinutes(-4)),
        }));
    }

    [Test]
    public async Task History_keeps_the_latest_runs_within_the_window_and_leaves_out_skipped_tests()
    {
        using var store = SqliteBatchStore.Open(StorePath);
        await store.RecordResultsAsync([
            Result("Tests", "A.One", 1, Now.AddDays(-10)),
            Result("Tests", "A.One", 2, Now.AddHours(-3)),
            Result("Tests", "A.One", 3, Now.AddHours(-2)),
            Result("Tests", "A.One", 4, Now.AddHours(-1)),
            Result("Tests", "A.Skipped", 0, Now.AddHours(-1), TestRunOutcome.Skipped),
        ]);

        var windowed = await store.GetHistoryAsync(["Tests"], since: Now.AddDays(-1), runsPerTest: 10);
        var latestTwo = await store.GetHistoryAsync(["Tests"], since: null, runsPerTest: 2);

        Assert.That(windowed.Select(r => r.DurationMillis), Is.EquivalentTo(new[] { 2.0, 3.0, 4.0 }));
        Assert.That(latestTwo.Select(r => r.DurationMillis), Is.EquivalentTo(new[] { 3.0, 4.0 }));
    }

    [Test]
    public async Task Parallel_writers_on_one_file_lose_no_result()
    {
        const int writers = 6;
        const int perWriter = 50;

        await Task.WhenAll(Enumerable.Range(0, writers).Select(writer => Task.Run(async () =>
        {
            for (var i = 0; i < perWriter; i++)
            {
                using var store = SqliteBatchStore.Open(StorePath);
                await store.RecordResultsAsync([Result("Tests", $"W{writer}.T{i}", i, Now)]);
            }
        })));

        using var reader = SqliteBatchStore.Open(StorePath);
        var history = await reader.GetHistoryAsync(["Tests"], since: null, runsPerTest: 1);
        Assert.That(history, Has.Count.EqualTo(writers * perWriter));
    }

    [Test]
    public async Task A_store_cut_short_is_moved_aside_with_BB2002_and_a_new_empty_store_takes_its_place()
    {
        await WriteRealStoreAsync();
        using (var file = new FileStream(StorePath, FileMode.Open))
        {
            file.SetLength(5000);
        }

        await AssertReplacedAsync(expectedLength: 5000);
    }

    [Test]
    public async Task A_file_of_garbage_is_moved_aside_with_BB2002_and_a_new_empty_store_takes_its_place()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(StorePath)!);
        var garbage = new byte[20_000];
        new Random(7).NextBytes(garbage);
        File.WriteAllBytes(StorePath, garbage);

        await AssertReplacedAsync(expectedLength: 20_000);
    }

    [Test]
    public async Task Two_processes_opening_one_damaged_store_at_once_move_it_aside_once_and_share_the_new_one()
    {
        await WriteRealStoreAsync();
        using (var file = new FileStream(StorePath, FileMode.Open))
        {
            file.SetLength(5000);
        }

        var warnings = new System.Collections.Concurrent.ConcurrentQueue<Core.Diagnostic>();
        using var start = new Barrier(2);
        var stores = await Task.WhenAll(Enumerable.Range(0, 2).Select(i => Task.Run(() =>
        {
            start.SignalAndWait();
            return SqliteBatchStore.Open(StorePath, report: warnings.Enqueue);
        })));
        try
        {
            await stores[0].RecordResultsAsync([Result("Tests", "A.First", 1, Now)]);
            await stores[1].RecordResultsAsync([Result("Tests", "A.Second", 2, Now)]);

            Assert.That(DamagedFiles(), Has.Length.EqualTo(1), "moved aside once");
            Assert.That(warnings.Select(w => w.Code), Is.EqualTo(new[] { "BB2002" }));
            var history = await stores[0].GetHistoryAsync(["Tests"], null, 10);
            Assert.That(
                history.Select(r => r.Test.FullyQualifiedName),
                Is.EquivalentTo(new[] { "A.First", "A.Second" }),
                "one new store");
        }
        finally
        {
            foreach (var store in stores)
            {
                store.Dispose();
            }
        }
    }

    [Test]
    public void The_recorder_records_in_a_new_store_when_the_old_one_is_damaged_and_warns_with_BB2002()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(StorePath)!);
        File.WriteAllText(
            StorePath, "this is a text file, not a SQLite database, and it is long enough to have a header");
        var recorder = new TestBatchRecorder(
            new RecorderSettings(
                BatchId.Parse("b-5"), 1, 1, StorePath, Path.Combine(_folder, "test-batch-1.json"), false),
            "agent",
            () => Now);
        recorder.Add("/bin/Tests.dll", new TestBatchResult("A.One", "One", TestRunOutcome.Passed, 10));

        var (file, warning) = recorder.Finish();

        Assert.That(warning?.Code, Is.EqualTo("BB2002"));
        Assert.That(TestBatchResults.FromJson(File.ReadAllText(file)).Recorded, Is.True);
    }

    // A store with enough results to take several pages of the file.
    private async Task WriteRealStoreAsync()
    {
        using var store = SqliteBatchStore.Open(StorePath);
        for (var report = 0; report < 5; report++)
        {
            await store.RecordResultsAsync(
            [
                .. Enumerable
                    .Range(0, 100)
                    .Select(i => Result("Tests", $"Some.Namespace.SomeClass.Test{report}x{i}", i, Now)),
            ]);
        }
    }

    private string[] DamagedFiles() =>
        [
            .. Directory
                .GetFiles(Path.GetDirectoryName(StorePath)!, "batchbuild.db.damaged-*")
                .Where(f => !f.EndsWith("-wal", StringComparison.Ordinal)
                    && !f.EndsWith("-shm", StringComparison.Ordinal)),
        ];

    private async Task AssertReplacedAsync(long expectedLength)
    {
        var warnings = new List<Core.Diagnostic>();

        using var store = SqliteBatchStore.Open(StorePath, report: warnings.Add);
        await store.RecordResultsAsync([Result("Tests", "A.After", 3, Now)]);

        var aside = DamagedFiles().Single();
        Assert.That(Path.GetFileName(aside), Does.Match(@"^batchbuild\.db\.damaged-\d{14}$"));
        Assert.That(new FileInfo(aside).Length, Is.EqualTo(expectedLength), "the damaged file is kept as it was");
        var warning = warnings.Single();
        Assert.That((warning.Code, warning.Severity), Is.EqualTo(("BB2002", Core.DiagnosticSeverity.Warning)));
        Assert.That(
            warning.Message, Does.Contain(StorePath).And.Contain(aside).And.Contain("without the recorded history"));
        var history = await store.GetHistoryAsync(["Tests"], null, 10);
        Assert.That(
            history.Select(r => r.Test.FullyQualifiedName), Is.EqualTo(new[] { "A.After" }), "a new, working store");
    }

    [Test]
    public void A_store_under_a_file_is_refused_with_BB2001()
    {
        var blocker = Path.Combine(_folder, "blocker");
        File.WriteAllText(blocker, "");

        var error = Assert.Throws<StoreException>(
            () => SqliteBatchStore.Open(Path.Combine(blocker, "batchbuild.db")).Dispose());

        Assert.That(error!.Code, Is.EqualTo("BB2001"));
    }

    [Test]
    public void The_recorder_records_and_writes_the_results_file()
    {
        var resultFile = Path.Combine(_folder, "results", "test-batch-1.json");
        var recorder = new TestBatchRecorder(
            new RecorderSettings(BatchId.Parse("b-2"), 1, 1, StorePath, resultFile, false), "agent", () => Now);
        recorder.Add("/bin/Tests.dll", new TestBatchResult("A.Rows", "Rows(1)", TestRunOutcome.Passed, 10));
        recorder.Add("/bin/Tests.dll", new TestBatchResult("A.Rows", "Rows(2)", TestRunOutcome.Passed, 15));

        var (file, warning) = recorder.Finish();

        Assert.That(warning, Is.Null);
        Assert.That(file, Is.EqualTo(resultFile));
        var written = TestBatchResults.FromJson(File.ReadAllText(file));
        Assert.That((written.Recorded, written.Tests.Count, written.BatchId), Is.EqualTo((true, 2, "b-2")));
        using var store = SqliteBatchStore.Open(StorePath);
        var history = store.GetHistoryAsync(["Tests"], null, 10).GetAwaiter().GetResult();
        Assert.That(history.Single().DurationMillis, Is.EqualTo(25));
    }

    [Test]
    public void Without_a_store_the_recorder_leaves_recording_to_the_reader_of_the_file()
    {
        var resultFile = Path.Combine(_folder, "test-batch-4.json");
        var recorder = new TestBatchRecorder(
            new RecorderSettings(BatchId.Parse("b-4"), 4, 4, StorePath: null, resultFile, false), "agent", () => Now);
        recorder.Add("/bin/Tests.dll", new TestBatchResult("A.One", "One", TestRunOutcome.Passed, 10));

        var (file, warning) = recorder.Finish();

        Assert.That(warning, Is.Null);
        var written = TestBatchResults.FromJson(File.ReadAllText(file));
        Assert.That(
            (written.Recorded, written.RecordError, written.Tests.Count), Is.EqualTo((false, (string?)null, 1)));
        Assert.That(File.Exists(StorePath), Is.False);
    }

    [Test]
    public void The_recorder_keeps_the_results_when_the_store_is_unreachable()
    {
        var blocker = Path.Combine(_folder, "blocker");
        File.WriteAllText(blocker, "");
        var resultFile = Path.Combine(_folder, "test-batch-1.json");
        var recorder = new TestBatchRecorder(
            new RecorderSettings(BatchId.Parse("b-3"), 1, 1, Path.Combine(blocker, "x.db"), resultFile, false),
            "agent",
            () => Now);
        recorder.Add("/bin/Tests.dll", new TestBatchResult("A.One", "One", TestRunOutcome.Failed, 10, "boom"));

        var (file, warning) = recorder.Finish();

        Assert.That(warning?.Code, Is.EqualTo("BB2001"));
        Assert.That(warning!.Message, Does.Contain("kept in the results file"));
        var written = TestBatchResults.FromJson(File.ReadAllText(file));
        Assert.That(written.Recorded, Is.False);
        Assert.That(
            written.Tests.Single(), Is.EqualTo(new TestBatchResult("A.One", "One", TestRunOutcome.Failed, 10, "boom")));
    }

    [Test]
    public async Task A_version_1_store_is_migrated_and_keeps_its_history()
    {
        WriteOldStore("""
                CREATE TABLE test_results (id INTEGER PRIMARY KEY, batch_id TEXT NOT NULL, test_batch INTEGER NOT NULL,
                    assembly TEXT NOT NULL, full_name TEXT NOT NULL, display_name TEXT NOT NULL, outcome TEXT NOT NULL,
                    duration_ms REAL NOT NULL, finished_at TEXT NOT NULL, agent TEXT NOT NULL);
                INSERT INTO test_results (batch_id, test_batch, assembly, full_name, display_name, outcome, duration_ms,
                                          finished_at, agent)
                VALUES ('old', 1, 'Tests', 'A.Old', 'Old', 'Passed', 42, '2026-11-22T08:00:00.0000000Z', 'agent');
                PRAGMA user_version = 1;
                """);

        using var store = SqliteBatchStore.Open(StorePath);
        await store.RecordResultsAsync([Result("Tests", "A.New", 5, Now), Result("Tests", "A.Old", 6, Now)]);
        var history = await store.GetHistoryAsync(["Tests"], null, 10);

        Assert.That(
            history.Select(r => r.Test.FullyQualifiedName), Is.EquivalentTo(new[] { "A.Old", "A.New", "A.Old" }));
        Assert.That(
            await store.GetBatchAsync(BatchId.Parse("old")), Is.Null, "results from before batches belong to none");
    }

    [Test]
    public async Task A_version_2_store_is_migrated_with_its_active_batch_counted_and_its_closed_batch_kept()
    {
        // Version 2 as it was written: counts only for closed batches, no attempts.
        WriteOldStore("""
                CREATE TABLE test_results (id INTEGER PRIMARY KEY, batch_id TEXT NOT NULL, test_batch INTEGER NOT NULL,
                    assembly TEXT NOT NULL, full_name TEXT NOT NULL, display_name TEXT NOT NULL, outcome TEXT NOT NULL,
                    duration_ms REAL NOT NULL, finished_at TEXT NOT NULL, agent TEXT NOT NULL,
                    batch_key INTEGER REFERENCES batches (id), error_message TEXT);
                CREATE TABLE batches (id INTEGER PRIMARY KEY, batch_id TEXT NOT NULL, sequence INTEGER NOT NULL,
                    state TEXT NOT NULL, started_at TEXT NOT NULL, last_activity_at TEXT NOT NULL, closed_at TEXT,
                    close_reason TEXT, notify INTEGER NOT NULL,
                    passed INTEGER, failed INTEGER, skipped INTEGER, test_batches INTEGER, agents INTEGER, test_ms REAL,
                    claimed_at TEXT, notified_at TEXT, UNIQUE (batch_id, sequence));
                CREATE UNIQUE INDEX ux_batches_active ON batches (batch_id) WHERE state = 'Active';
                INSERT INTO batches VALUES (1, 'done', 1, 'Closed',
                    '2026-11-23T10:00:00.0000000Z', '2026-11-23T10:05:00.0000000Z', '2026-11-23T10:06:00.0000000Z',
                    'Explicit', 1, 7, 1, 0, 2, 1, 700, NULL, '2026-11-23T10:06:01.0000000Z');
                INSERT INTO batches VALUES (2, 'b-1', 1, 'Active',
                    '2026-11-23T11:00:00.0000000Z', '2026-11-23T11:30:00.0000000Z',
                    NULL, NULL, 1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
                INSERT INTO test_results (batch_id, test_batch, assembly, full_name, display_name, outcome, duration_ms,
                                          finished_at, agent, batch_key, error_message) VALUES
                    ('b-1', 1, 'Tests', 'A.One', 'One', 'Failed', 10,
                     '2026-11-23T11:10:00.0000000Z', 'agent-1', 2, 'boom'),
                    ('b-1', 2, 'Tests', 'A.One', 'One', 'Passed', 20,
                     '2026-11-23T11:20:00.0000000Z', 'agent-1', 2, NULL),
                    ('b-1', 2, 'Tests', 'A.Two', 'Two', 'Skipped', 0,
                     '2026-11-23T11:20:00.0000000Z', 'agent-2', 2, NULL);
                PRAGMA user_version = 2;
                """);

        var noon = new FixedClock(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
        using var store = SqliteBatchStore.Open(StorePath, new BatchStoreOptions(BatchLimits.Default, true, noon));
        var active = await store.GetBatchAsync(BatchId.Parse("b-1"));
        var closed = await store.GetBatchAsync(BatchId.Parse("done"));
        var joined = (await store.RecordResultsAsync([Result("Tests", "A.Two", 30, Now, batch: "b-1")])).Single();

        Assert.That(
            active!.Counts,
            Is.EqualTo(new BatchCounts(1, 0, 1, 3, 2, 30, Flaky: 1, Retried: 1)),
            "counted from its results: each test by its latest, every run");
        Assert.That(closed!.Counts, Is.EqualTo(new BatchCounts(7, 1, 0, 2, 1, 700)), "frozen counts kept");
        Assert.That(
            joined.Counts,
            Is.EqualTo(new BatchCounts(2, 0, 0, 4, 3, 60, Flaky: 1, Retried: 2)),
            "and kept up to date from there: a third agent, a fourth run");
        Assert.That(await store.RecountAsync(BatchId.Parse("b-1"), 1), Is.EqualTo(joined.Counts));
        Assert.That(await store.ClaimNotificationsAsync(), Is.Empty, "the closed batch was notified before");
    }

    // Writes a store as an older BatchBuild left it, for the migration to find.
    private void WriteOldStore(string sql)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(StorePath)!);
        using var connection = new SqliteConnection($"Data Source={StorePath};Pooling=False");
        connection.Open();
        using var create = connection.CreateCommand();
        create.CommandText = sql;
        create.ExecuteNonQuery();
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
