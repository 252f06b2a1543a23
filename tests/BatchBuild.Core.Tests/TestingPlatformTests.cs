using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Testing;

namespace BatchBuild.Core.Tests;

public sealed class TestingPlatformTests
{
    // What an MSTest 4.5 app prints for --list-tests json (trimmed to three tests), after the blank line it starts
    // with.
    private const string Listed = """

        {
          "schemaVersion": 1,
          "tests": [
            { "uid": "106a726e", "displayName": "One",
              "type": { "assemblyFullName": "", "namespace": "Probe", "typeName": "Alpha", "methodName": "One",
                        "methodArity": 0, "parameterTypeFullNames": [] } },
            { "uid": "14ae329b", "displayName": "Rows (1)",
              "type": { "namespace": "Probe", "typeName": "Alpha", "methodName": "Rows",
                        "parameterTypeFullNames": ["System.Object"] } },
            { "uid": "1c6a836d", "displayName": "Rows (\"a\\\"b\")",
              "type": { "namespace": "Probe", "typeName": "Alpha", "methodName": "Rows",
                        "parameterTypeFullNames": ["System.Object"] } },
            { "uid": "Global.Test", "displayName": "Global test",
              "type": { "namespace": "", "typeName": "Outer+Inner", "methodName": "Run" } },
            { "uid": "no-type", "displayName": "A test without a method" }
          ]
        }
        """;

    [Test]
    public void A_listed_test_is_named_by_namespace_type_and_method_and_selected_by_its_uid()
    {
        var (tests, problem) = ListedTests.Read("/bin/Probe.dll", Listed);

        Assert.That(problem, Is.Null);
        Assert.That(
            tests!.Select(test => (test.Id, test.FullyQualifiedName, test.ClassName, test.DisplayName)),
            Is.EqualTo(new[]
        {
            ("106a726e", "Probe.Alpha.One", "Probe.Alpha", "One"),
            ("14ae329b", "Probe.Alpha.Rows", "Probe.Alpha", "Rows (1)"),
            ("1c6a836d", "Probe.Alpha.Rows", "Probe.Alpha", "Rows (\"a\\\"b\")"),
            ("Global.Test", "Outer+Inner.Run", "Outer+Inner", "Global test"),
            (
                "no-type",
                "A test without a method",
                TestName.ClassOf("A test without a method"),
                "A test without a method"
            ),
        }));
    }

    [Test]
    public void Data_rows_that_share_a_method_are_told_apart_in_history_by_display_name()
    {
        var (tests, _) = ListedTests.Read("/bin/Probe.dll", Listed);
        var keys = SelectableTest.From(tests!).Select(test => test.Key.FullyQualifiedName).ToList();

        Assert.That(
            keys,
            Does.Contain("Probe.Alpha.Rows [Rows (1)]").And
                .Contain("Probe.Alpha.Rows [Rows (\"a\\\"b\")]").And
                .Contain("Probe.Alpha.One"));
    }

    [TestCase("", "the test app printed no test list")]
    [TestCase("Unknown option '--list-tests'", "the test app printed no test list")]
    [TestCase("{ \"schemaVersion\": 1 }", "the test list has no 'tests' array")]
    [TestCase("{ \"tests\": [ { \"displayName\": \"x\" } ] }", "a test in the list has no uid")]
    public void Output_without_a_test_list_says_why(string output, string problem)
    {
        var (tests, why) = ListedTests.Read("/bin/Probe.dll", output);

        Assert.That((tests, why), Is.EqualTo(((IReadOnlyList<DiscoveredTest>?)null, problem)));
    }

    [Test]
    public void Result_lines_give_results_in_order_and_the_tests_still_running()
    {
        var lines = new ResultLines();
        string[] reported =
        [
            """{"uid":"a","state":"started"}""",
            """{"uid":"b","state":"started"}""",
            """{"uid":"a","state":"passed","name":"A","ms":12.5,"error":null}""",
            """{"uid":"c","state":"skipped","name":"C","ms":0,"error":"not today"}""",
            "not a line of the reporter",
            """{"uid":"d","state":"failed","name":"D \"quoted\"","ms":3,"error":"boom"}""",
            """{"uid":"b","state":"fail""",
        ];
        var read = reported.Select((line, i) => lines.Read(line, 100 * i)).ToList();

        Assert.That(
            read,
            Is.EqualTo(new[] { true, true, true, true, false, true, false }),
            "the line a crash cut short is left out");
        Assert.That(
            lines.Results.Select(result =>
                (result.TestId, result.DisplayName, result.Outcome, result.DurationMillis, result.ErrorMessage)),
            Is.EqualTo(new[]
        {
            ("a", "A", TestRunOutcome.Passed, 12.5, (string?)null),
            ("c", "C", TestRunOutcome.Skipped, 0.0, "not today"),
            ("d", "D \"quoted\"", TestRunOutcome.Failed, 3.0, "boom"),
        }));
        Assert.That(
            lines.RunningAt(1000),
            Is.EqualTo(new Dictionary<string, double> { ["b"] = 900 }),
            "b started at 100 ms and has not ended");
    }

    [Test]
    public void Result_lines_tell_when_the_first_test_started()
    {
        var lines = new ResultLines();
        lines.Read("the app's banner", 10);
        Assert.That(lines.FirstTestMillis, Is.Null);

        lines.Read("""{"uid":"a","state":"started"}""", 4200);
        lines.Read("""{"uid":"a","state":"passed","name":"A","ms":1,"error":null}""", 4300);

        Assert.That(lines.FirstTestMillis, Is.EqualTo(4200));
    }

    [Test]
    public void Result_lines_that_say_where_each_method_is_name_the_tests_as_the_listing_does()
    {
        var lines = new ResultLines();
        lines.Read("""{"uid":"106a726e","state":"started"}""", 1);
        lines.Read(
            """
            {"uid":"106a726e","state":"passed","name":"One","ms":1,"error":null,
             "type":{"namespace":"Probe","typeName":"Alpha","methodName":"One"}}
            """.ReplaceLineEndings(string.Empty),
            2);
        lines.Read("""{"uid":"no-type","state":"failed","name":"A test without a method","ms":1,"type":{}}""", 3);
        var listed = ListedTests.Read("/bin/Probe.dll", Listed).Tests!;

        Assert.That(
            lines.Tests("/bin/Probe.dll"),
            Is.EqualTo(listed.Where(test => test.Id is "106a726e" or "no-type")).Using(new DiscoveredTestComparer()));

        var older = new ResultLines();
        older.Read("""{"uid":"106a726e","state":"passed","name":"One","ms":1,"error":null}""", 2);
        Assert.That(older.Tests("/bin/Probe.dll"), Is.Null, "a reporter that does not say where the method is");
    }

    // Tests compared by what planning reads of them (their traits are lists, compared by reference).
    private sealed class DiscoveredTestComparer : IEqualityComparer<DiscoveredTest>
    {
        public bool Equals(DiscoveredTest? x, DiscoveredTest? y) =>
            (x?.Source, x?.FullyQualifiedName, x?.ClassName, x?.DisplayName, x?.Id)
            == (y?.Source, y?.FullyQualifiedName, y?.ClassName, y?.DisplayName, y?.Id);

        public int GetHashCode(DiscoveredTest obj) => obj.Id.GetHashCode(StringComparison.Ordinal);
    }

    private static readonly string[] FromDotnetTest =
    [
        "--server", "dotnettestcli", "--dotnet-test-pipe", "/tmp/pipe-1",
        "--filter-class", "Probe.Alpha", "--report-trx",
    ];

    [Test]
    public void Discovery_lists_the_tests_the_user_filtered_without_the_connection_to_dotnet_test()
    {
        Assert.That(
            TestAppArguments.ForDiscovery(FromDotnetTest),
            Is.EqualTo(new[] { "--filter-class", "Probe.Alpha", "--report-trx", "--list-tests", "json" }));
    }

    [Test]
    public void A_test_batch_keeps_the_connection_and_selects_exactly_its_uids_each_as_one_argument()
    {
        string[] uids = ["Names.Quote(\"say \\\"hi\\\"\")", "Names.Tab(\"col1\tcol2\")", "a b, c"];

        var run = TestAppArguments.ForTestBatch(FromDotnetTest, uids, "/tmp/batch.rsp");

        Assert.That(
            run.Arguments,
            Is.EqualTo((string[])
            [
                "--server", "dotnettestcli", "--dotnet-test-pipe", "/tmp/pipe-1", "--report-trx", "--filter-uid",
                .. uids,
            ]));
        Assert.That(run.ResponseFileText, Is.Null, "they fit on the command line");
    }

    [Test]
    public void A_test_batch_of_every_listed_test_is_the_apps_own_run_with_the_users_filters_and_no_uids()
    {
        string[] uids = ["c", "a", "b"];
        var listed = new HashSet<string>(["a", "b", "c"], StringComparer.Ordinal);

        var run = TestAppArguments.ForTestBatch(FromDotnetTest, uids, "/tmp/batch.rsp", listed: listed);

        Assert.That(run.Unfiltered, Is.True);
        Assert.That(run.Arguments, Is.EqualTo(FromDotnetTest), "the listing applied the same filters");
        Assert.That(run.ResponseFileText, Is.Null);
    }

    [TestCase("a b", TestName = "{m}(a part of the listing)")]
    [TestCase("a b c d", TestName = "{m}(a test the listing does not hold)")]
    [TestCase("a b b", TestName = "{m}(as many uids, one twice)")]
    [TestCase("a b c c", TestName = "{m}(every listed test, one twice)")]
    public void A_test_batch_that_is_not_the_whole_listing_names_its_uids(string batch)
    {
        var uids = batch.Split(' ');
        var listed = new HashSet<string>(["a", "b", "c"], StringComparer.Ordinal);

        var run = TestAppArguments.ForTestBatch(FromDotnetTest, uids, "/tmp/batch.rsp", listed: listed);

        Assert.That(run.Unfiltered, Is.False);
        Assert.That(run.Arguments, Does.Contain("--filter-uid"));
        Assert.That(run.Arguments, Does.Not.Contain("--filter-class"), "the listing applied the user's filters");
    }

    [Test]
    public void A_long_list_of_uids_goes_into_a_response_file_except_those_it_cannot_hold()
    {
        string[] uids =
        [
            "Names.Quote(\"say \\\"hi\\\"\")",
            "a b, c",
            "# not a comment",
            " padded ",
            "Names.Line(\"1\n2\")",
            .. Enumerable.Range(0, 20).Select(i => $"uid-{i:00}"),
        ];

        var run = TestAppArguments.ForTestBatch(FromDotnetTest, uids, "/tmp/batch.rsp", commandLineLimit: 100);

        Assert.That(
            run.Arguments,
            Is.EqualTo((string[])
            [
                "--server", "dotnettestcli", "--dotnet-test-pipe", "/tmp/pipe-1", "--report-trx", "--filter-uid",
                "@/tmp/batch.rsp", uids[0], uids[4],
            ]));
        Assert.That(
            run.ResponseFileText!.Split('\n', StringSplitOptions.RemoveEmptyEntries),
            Is.EqualTo(uids.Where((_, i) => i is not 0 and not 4).Select(uid => $"\"{uid}\"")),
            "one uid a line, quoted whole");
    }

    [TestCase(new[] { "--server", "dotnettestcli", "--results-directory", "/r" }, "/r")]
    [TestCase(new[] { "--results-directory=/r", "--report-trx" }, "/r")]
    [TestCase(new[] { "--report-trx" }, null)]
    public void The_results_folder_is_the_one_given_to_the_app(string[] arguments, string? folder)
    {
        Assert.That(TestAppArguments.ResultsDirectory(arguments), Is.EqualTo(folder));
    }

    [TestCase(new[] { "--server", "dotnettestcli", "--dotnet-test-pipe", "p" }, true)]
    [TestCase(new[] { "--server", "dotnettestcli", "--dotnet-test-pipe", "p", "--list-tests" }, false)]
    [TestCase(new[] { "--server", "dotnettestcli", "--dotnet-test-pipe", "p", "--help" }, false)]
    [TestCase(new[] { "--server", "dotnettestcli", "--dotnet-test-pipe", "p", "--info" }, false)]
    [TestCase(new[] { "--server", "jsonrpc", "--port", "1" }, false)]
    [TestCase(new string[0], false)]
    public void Only_a_test_run_for_dotnet_test_is_batched(string[] arguments, bool batched)
    {
        Assert.That(TestAppArguments.RunsTestsForDotnetTest(arguments), Is.EqualTo(batched));
    }

    [Test]
    public void The_default_store_is_the_same_for_every_project_of_one_invocation()
    {
        static TestAppLaunch Launch(string project, string? solutionStore) =>
            new(
                project,
                $"/repo/{project}",
                $"/repo/{project}/bin/{project}.dll",
                solutionStore,
                null,
                new Dictionary<string, string>(),
                null,
                project);

        Assert.That(
            Launch("A", "/repo/.batchbuild/batchbuild.db").DefaultStorePath("/elsewhere"),
            Is.EqualTo("/repo/.batchbuild/batchbuild.db"));
        Assert.That(
            new[] { Launch("A", null), Launch("B", null) }.Select(launch => launch.DefaultStorePath("/repo"))
                .Distinct(),
            Is.EqualTo(new[] { Path.Combine("/repo", ".batchbuild", "batchbuild.db") }));
        Assert.That(
            Launch("A", null).DefaultStorePath(null),
            Is.EqualTo(Path.Combine("/repo/A", ".batchbuild", "batchbuild.db")));
    }

    [Test]
    public void A_launch_file_reads_back_as_written()
    {
        var launch = new TestAppLaunch(
            "A",
            "/repo/A",
            "/repo/A/bin/A.dll",
            null,
            "/repo/a.runsettings",
            new Dictionary<string, string> { ["BatchBuildStrategy"] = "isolate" },
            "/tmp/inv",
            "A-1");

        var read = TestAppLaunch.FromJson(launch.ToJson());

        Assert.That(read with { Properties = launch.Properties }, Is.EqualTo(launch));
        Assert.That(read.Properties, Is.EqualTo(launch.Properties));
    }
}
