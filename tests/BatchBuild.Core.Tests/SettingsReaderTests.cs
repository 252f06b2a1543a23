using BatchBuild.Core.Batches;
using BatchBuild.Core.Configuration;

namespace BatchBuild.Core.Tests;

public class SettingsReaderTests
{
    private const string File = "/repo/test.runsettings";

    private const string IssueExample = """
        <RunSettings>
          <RunConfiguration><MaxCpuCount>1</MaxCpuCount></RunConfiguration>
          <BatchBuild>
            <BatchingStrategy>
              <Type>fixed-size</Type>
              <Size>5</Size>
              <DurationMillis>100000</DurationMillis>
              <Percentile>80</Percentile>
              <TimeLimit>-PT1H</TimeLimit>
              <LastMileLength>10</LastMileLength>
            </BatchingStrategy>
            <Workers>4</Workers>
          </BatchBuild>
        </RunSettings>
        """;

    private static SettingsLayer RunSettings(string xml) => SettingsLayer.FromRunSettings(xml, File);

    private static SettingsLayer BatchBuildSection(string inner) =>
        RunSettings($"<RunSettings><BatchBuild>{inner}</BatchBuild></RunSettings>");

    private static SettingsLayer Properties(params (string Name, string? Value)[] pairs) =>
        SettingsLayer.FromProperties(pairs.Select(p => KeyValuePair.Create(p.Name, p.Value)));

    private static SettingsLayer Environment(params (string Name, string? Value)[] pairs) =>
        SettingsLayer.FromEnvironment(pairs.Select(p => KeyValuePair.Create(p.Name, p.Value)));

    [Test]
    public void Nothing_configured_gives_the_defaults()
    {
        var result = SettingsReader.Read();

        Assert.That(result.Settings, Is.EqualTo(BatchBuildSettings.Defaults));
        Assert.That(result.Settings!.BatchingStrategy.TypeName, Is.EqualTo("isolate"));
        Assert.That(result.Settings.EffectiveWorkers(processorCount: 6), Is.EqualTo(6));
        Assert.That(result.Diagnostics, Is.Empty);
    }

    [Test]
    public void The_runsettings_section_is_read_as_documented()
    {
        var result = SettingsReader.Read(RunSettings(IssueExample));

        Assert.That(result.Diagnostics, Is.Empty);
        Assert.That(result.Settings!.BatchingStrategy, Is.EqualTo(new BatchingStrategySettings(
            BatchingStrategyType.FixedSize, 5, 100000, 80, new TimeLimit.LookBack(TimeSpan.FromHours(1)), 10)));
        Assert.That(result.Settings.Workers, Is.EqualTo(4));
    }

    [Test]
    public void A_runsettings_file_without_a_BatchBuild_section_changes_nothing()
    {
        var result = SettingsReader.Read(RunSettings("<RunSettings><RunConfiguration /></RunSettings>"));

        Assert.That(result.Settings, Is.EqualTo(BatchBuildSettings.Defaults));
    }

    [Test]
    public void Properties_override_runsettings_and_environment_variables_override_properties()
    {
        var result = SettingsReader.Read(
            RunSettings(IssueExample),
            Properties(("BatchBuildSize", "7"), ("BatchBuildWorkers", "2"), ("BatchBuildStrategy", "")),
            Environment(("BATCHBUILD_WORKERS", "3"), ("BATCHBUILD_PERCENTILE", "99.5"), ("PATH", "/bin")));

        var settings = result.Settings!;
        Assert.That(result.Diagnostics, Is.Empty);
        Assert.That(
            settings.BatchingStrategy.Type,
            Is.EqualTo(BatchingStrategyType.FixedSize),
            "an empty property does not override");
        Assert.That(settings.BatchingStrategy.Size, Is.EqualTo(7));
        Assert.That(settings.BatchingStrategy.Percentile, Is.EqualTo(99.5));
        Assert.That(settings.Workers, Is.EqualTo(3));
    }

    [Test]
    public void Every_setting_has_a_property_and_all_but_the_batch_id_a_variable()
    {
        var result = SettingsReader.Read(
            Properties(
                ("BatchBuildStrategy", "class-name"),
                ("BatchBuildBatchId", "release-7"),
                ("BatchBuildDefaultDurationMillis", "250")),
            Environment(
                ("BATCHBUILD_DURATION_MILLIS", "60000"),
                ("BATCHBUILD_TIME_LIMIT", "2026-11-01T00:00:00Z"),
                ("BATCHBUILD_LAST_MILE_LENGTH", "0")));

        var settings = result.Settings!;
        Assert.That(settings.BatchingStrategy.Type, Is.EqualTo(BatchingStrategyType.ClassName));
        Assert.That(settings.BatchId, Is.EqualTo(BatchId.Parse("release-7")));
        Assert.That(settings.DefaultDurationMillis, Is.EqualTo(250));
        Assert.That(settings.BatchingStrategy.DurationMillis, Is.EqualTo(60000));
        Assert.That(
            settings.BatchingStrategy.TimeLimit,
            Is.EqualTo(new TimeLimit.Since(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero))));
    }

    [Test]
    public void Retries_are_off_by_default_and_fixed_quota_keeps_Marathons_defaults_unless_set()
    {
        Assert.That(SettingsReader.Read().Settings!.Retry.Policy, Is.EqualTo(new Running.RetryPolicy(0, 0, 1)));

        var result = SettingsReader.Read(
            BatchBuildSection(
                "<RetryStrategy><Type>fixed-quota</Type><RetryPerTestQuota>2</RetryPerTestQuota></RetryStrategy>"
                + "<ExecutionStrategy><Mode>all-success</Mode></ExecutionStrategy>"),
            Environment(("BATCHBUILD_UNCOMPLETED_TEST_RETRY_QUOTA", "0")));

        Assert.That(result.Diagnostics, Is.Empty);
        Assert.That(result.Settings!.Retry.Policy, Is.EqualTo(new Running.RetryPolicy(200, 2, 0)));
        Assert.That(result.Settings.Retry.Mode, Is.EqualTo(Running.ExecutionMode.AllSuccess));
    }

    [Test]
    public void Time_limits_flakiness_and_sorting_have_Marathons_defaults_and_read_from_each_source()
    {
        var defaults = SettingsReader.Read().Settings!;
        Assert.That(defaults.Timeouts, Is.EqualTo(new TimeoutSettings(1_800_000, 300_000)));
        Assert.That(defaults.Flakiness, Is.EqualTo(new FlakinessSettings(FlakinessStrategyType.Ignore, 0.8, 3, null)));
        Assert.That(defaults.Sorting, Is.EqualTo(SortingStrategyType.ExecutionTime));
        Assert.That(defaults.Retry.Fast, Is.False);

        var result = SettingsReader.Read(
            BatchBuildSection(
                "<FlakinessStrategy><Type>probability</Type><MinSuccessRate>0.95</MinSuccessRate>"
                + "<TimeLimit>-P7D</TimeLimit></FlakinessStrategy>"
                + "<TestOutputTimeoutMillis>5000</TestOutputTimeoutMillis>"),
            Properties(("BatchBuildFlakinessMaxCount", "4"), ("BatchBuildSortingStrategy", "success-rate")),
            Environment(("BATCHBUILD_TEST_BATCH_TIMEOUT_MILLIS", "60000"), ("BATCHBUILD_EXECUTION_FAST", "true")));

        Assert.That(result.Diagnostics, Is.Empty);
        var settings = result.Settings!;
        Assert.That(settings.Timeouts, Is.EqualTo(new TimeoutSettings(60_000, 5_000)));
        Assert.That(
            settings.Flakiness,
            Is.EqualTo(new FlakinessSettings(
                FlakinessStrategyType.Probability,
                0.95,
                4,
                new TimeLimit.LookBack(TimeSpan.FromDays(7)))));
        Assert.That(settings.Sorting, Is.EqualTo(SortingStrategyType.SuccessRate));
        Assert.That(settings.Retry.Fast, Is.True);
    }

    [TestCase(0.5, 0.8, 3, 3)]
    [TestCase(0.5, 0.8, 2, 2)]
    [TestCase(0.7, 0.8, 3, 2)]
    [TestCase(0.8, 0.8, 3, 1)]
    [TestCase(0.0, 0.8, 3, 3)]
    [TestCase(0.9, 0.99, 5, 2)]
    public void The_probability_strategy_schedules_a_test_until_a_pass_is_likely_enough(
        double passRate,
        double minSuccessRate,
        int maxCount,
        int runs)
    {
        var flakiness = new FlakinessSettings(FlakinessStrategyType.Probability, minSuccessRate, maxCount, null);

        Assert.That(flakiness.RunsFor(passRate), Is.EqualTo(runs));
        Assert.That(flakiness.RunsFor(null), Is.EqualTo(1), "no record: once");
        Assert.That(FlakinessSettings.Defaults.RunsFor(passRate), Is.EqualTo(1), "ignore: once");
    }

    [Test]
    public void Strategy_names_are_case_insensitive()
    {
        var result = SettingsReader.Read(Environment(("BATCHBUILD_STRATEGY", "Class-Name")));

        Assert.That(result.Settings!.BatchingStrategy.Type, Is.EqualTo(BatchingStrategyType.ClassName));
    }

    // Every value error, in each of the three sources: code, where, value and what is allowed.
    [TestCase("BatchingStrategy/Type", "BatchBuildStrategy", "BATCHBUILD_STRATEGY", "fixed", "BB1003",
        "one of isolate, fixed-size, class-name")]
    [TestCase("BatchingStrategy/Size", "BatchBuildSize", "BATCHBUILD_SIZE", "0", "BB1002",
        "a whole number greater than 0")]
    [TestCase("BatchingStrategy/Size", "BatchBuildSize", "BATCHBUILD_SIZE", "five", "BB1002",
        "a whole number greater than 0")]
    [TestCase("BatchingStrategy/Size", "BatchBuildSize", "BATCHBUILD_SIZE", "99999999999", "BB1002",
        "a whole number greater than 0")]
    [TestCase("BatchingStrategy/Size", "BatchBuildSize", "BATCHBUILD_SIZE", "automatic", "BB1002",
        "a whole number greater than 0, or auto")]
    [TestCase("BatchingStrategy/Size", "BatchBuildSize", "BATCHBUILD_SIZE", "2.5", "BB1002",
        "a whole number greater than 0, or auto")]
    [TestCase("BatchingStrategy/DurationMillis", "BatchBuildDurationMillis", "BATCHBUILD_DURATION_MILLIS", "-5",
        "BB1002", "a whole number of milliseconds greater than 0")]
    [TestCase("BatchingStrategy/DurationMillis", "BatchBuildDurationMillis", "BATCHBUILD_DURATION_MILLIS", "1.5",
        "BB1002", "a whole number of milliseconds greater than 0")]
    [TestCase("BatchingStrategy/Percentile", "BatchBuildPercentile", "BATCHBUILD_PERCENTILE", "0", "BB1002",
        "a number greater than 0 and at most 100")]
    [TestCase("BatchingStrategy/Percentile", "BatchBuildPercentile", "BATCHBUILD_PERCENTILE", "100.1", "BB1002",
        "a number greater than 0 and at most 100")]
    [TestCase("BatchingStrategy/Percentile", "BatchBuildPercentile", "BATCHBUILD_PERCENTILE", "90,5", "BB1002",
        "a number greater than 0 and at most 100")]
    [TestCase("BatchingStrategy/TimeLimit", "BatchBuildTimeLimit", "BATCHBUILD_TIME_LIMIT", "1 hour", "BB1004",
        "an ISO-8601 duration looking back, such as -PT1H")]
    [TestCase("BatchingStrategy/TimeLimit", "BatchBuildTimeLimit", "BATCHBUILD_TIME_LIMIT", "-PT1X", "BB1004",
        "an ISO-8601 duration looking back, such as -PT1H")]
    [TestCase("BatchingStrategy/TimeLimit", "BatchBuildTimeLimit", "BATCHBUILD_TIME_LIMIT", "12:00", "BB1004",
        "an ISO-8601 duration looking back, such as -PT1H")]
    [TestCase("BatchingStrategy/LastMileLength", "BatchBuildLastMileLength", "BATCHBUILD_LAST_MILE_LENGTH", "-1",
        "BB1002", "a whole number of 0 or more")]
    [TestCase("Workers", "BatchBuildWorkers", "BATCHBUILD_WORKERS", "0", "BB1002", "a whole number greater than 0")]
    [TestCase("DefaultDurationMillis", "BatchBuildDefaultDurationMillis", "BATCHBUILD_DEFAULT_DURATION_MILLIS", "soon",
        "BB1002", "a whole number of milliseconds greater than 0")]
    [TestCase("RetryStrategy/Type", "BatchBuildRetryStrategy", "BATCHBUILD_RETRY_STRATEGY", "forever", "BB1003",
        "one of no-retry, fixed-quota")]
    [TestCase("RetryStrategy/TotalAllowedRetryQuota", "BatchBuildTotalAllowedRetryQuota",
        "BATCHBUILD_TOTAL_ALLOWED_RETRY_QUOTA", "-1", "BB1002", "a whole number of 0 or more")]
    [TestCase("RetryStrategy/RetryPerTestQuota", "BatchBuildRetryPerTestQuota", "BATCHBUILD_RETRY_PER_TEST_QUOTA",
        "many", "BB1002", "a whole number of 0 or more")]
    [TestCase("UncompletedTestRetryQuota", "BatchBuildUncompletedTestRetryQuota",
        "BATCHBUILD_UNCOMPLETED_TEST_RETRY_QUOTA", "-2", "BB1002", "a whole number of 0 or more")]
    [TestCase("ExecutionStrategy/Mode", "BatchBuildExecutionMode", "BATCHBUILD_EXECUTION_MODE", "some-success",
        "BB1003", "one of any-success, all-success")]
    [TestCase("ExecutionStrategy/Fast", "BatchBuildExecutionFast", "BATCHBUILD_EXECUTION_FAST", "yes", "BB1008",
        "true or false")]
    [TestCase("TestBatchTimeoutMillis", "BatchBuildTestBatchTimeoutMillis", "BATCHBUILD_TEST_BATCH_TIMEOUT_MILLIS", "0",
        "BB1002", "a whole number of milliseconds greater than 0")]
    [TestCase("TestOutputTimeoutMillis", "BatchBuildTestOutputTimeoutMillis", "BATCHBUILD_TEST_OUTPUT_TIMEOUT_MILLIS",
        "5s", "BB1002", "a whole number of milliseconds greater than 0")]
    [TestCase("FlakinessStrategy/Type", "BatchBuildFlakinessStrategy", "BATCHBUILD_FLAKINESS_STRATEGY", "guess",
        "BB1003", "one of ignore, probability")]
    [TestCase("FlakinessStrategy/MinSuccessRate", "BatchBuildMinSuccessRate", "BATCHBUILD_MIN_SUCCESS_RATE", "0",
        "BB1002", "a rate greater than 0 and at most 1")]
    [TestCase("FlakinessStrategy/MinSuccessRate", "BatchBuildMinSuccessRate", "BATCHBUILD_MIN_SUCCESS_RATE", "1.01",
        "BB1002", "a rate greater than 0 and at most 1")]
    [TestCase("FlakinessStrategy/MaxCount", "BatchBuildFlakinessMaxCount", "BATCHBUILD_FLAKINESS_MAX_COUNT", "0",
        "BB1002", "a whole number greater than 0")]
    [TestCase("FlakinessStrategy/TimeLimit", "BatchBuildFlakinessTimeLimit", "BATCHBUILD_FLAKINESS_TIME_LIMIT",
        "a week", "BB1004", "an ISO-8601 duration looking back")]
    [TestCase("AgentIndex", "BatchBuildAgentIndex", "BATCHBUILD_AGENT_INDEX", "0", "BB1002",
        "a whole number greater than 0")]
    [TestCase("AgentCount", "BatchBuildAgentCount", "BATCHBUILD_AGENT_COUNT", "many", "BB1002",
        "a whole number greater than 0")]
    [TestCase("Distribution", "BatchBuildDistribution", "BATCHBUILD_DISTRIBUTION", "random", "BB1003",
        "one of none, static, queue")]
    [TestCase("SortingStrategy/Type", "BatchBuildSortingStrategy", "BATCHBUILD_SORTING_STRATEGY", "random", "BB1003",
        "one of execution-time, success-rate")]
    public void An_invalid_value_is_an_error_naming_source_key_value_and_what_is_allowed(
        string element, string property, string variable, string value, string code, string allowed)
    {
        var path = element.Split('/');
        var xml = path.Length == 2
            ? $"<{path[0]}><{path[1]}>{value}</{path[1]}></{path[0]}>"
            : $"<{element}>{value}</{element}>";

        var fromFile = SettingsReader.Read(BatchBuildSection(xml));
        var fromProperty = SettingsReader.Read(Properties((property, value)));
        var fromVariable = SettingsReader.Read(Environment((variable, value)));

        AssertSingleError(fromFile, code, "BatchBuild/" + element, value, allowed, File);
        AssertSingleError(fromProperty, code, "MSBuild property " + property, value, allowed, null);
        AssertSingleError(fromVariable, code, "environment variable " + variable, value, allowed, null);
    }

    [Test]
    public void An_invalid_batch_id_is_an_error_with_the_id_rules()
    {
        var result = SettingsReader.Read(Properties(("BatchBuildBatchId", "nightly\u0007build/7")));

        AssertSingleError(
            result,
            "BB1007",
            "MSBuild property BatchBuildBatchId",
            "nightly\u0007build/7",
            "it contains the character U+0007",
            null);
        Assert.That(result.Errors.Single().Message, Does.Contain(BatchId.Rule));
    }

    [Test]
    public void Fixed_size_without_a_size_is_an_error_at_the_place_that_chose_it()
    {
        var result = SettingsReader.Read(
            BatchBuildSection("<BatchingStrategy>\n<Type>fixed-size</Type></BatchingStrategy>"));

        var error = result.Errors.Single();
        Assert.That(result.Settings, Is.Null);
        Assert.That(error.Code, Is.EqualTo("BB1005"));
        Assert.That(error.Setting, Is.EqualTo("BatchBuild/BatchingStrategy/Type"));
        Assert.That((error.File, error.Line), Is.EqualTo((File, 2)));
        Assert.That(error.Message, Does.Contain("BatchBuildSize"));
    }

    [Test]
    public void Size_auto_is_accepted_in_each_of_the_three_sources_and_satisfies_fixed_size()
    {
        var sources = new[]
        {
            BatchBuildSection("<BatchingStrategy><Type>fixed-size</Type><Size>auto</Size></BatchingStrategy>"),
            Properties(("BatchBuildStrategy", "fixed-size"), ("BatchBuildSize", "auto")),
            Environment(("BATCHBUILD_STRATEGY", "fixed-size"), ("BATCHBUILD_SIZE", "AUTO")),
        };

        foreach (var source in sources)
        {
            var result = SettingsReader.Read(source);

            Assert.That(result.Diagnostics, Is.Empty, source.ToString());
            var strategy = result.Settings!.BatchingStrategy;
            Assert.That((strategy.Size, strategy.AutoSize, strategy.IsAutoSize), Is.EqualTo(((int?)null, true, true)));
        }
    }

    [Test]
    public void A_later_source_replaces_size_auto_with_a_number_and_a_number_with_auto()
    {
        var number = SettingsReader.Read(
            Properties(("BatchBuildStrategy", "fixed-size"), ("BatchBuildSize", "auto")),
            Environment(("BATCHBUILD_SIZE", "4")));
        var auto = SettingsReader.Read(
            Properties(("BatchBuildStrategy", "fixed-size"), ("BatchBuildSize", "4")),
            Environment(("BATCHBUILD_SIZE", "auto")));

        Assert.That(
            (number.Settings!.BatchingStrategy.Size, number.Settings.BatchingStrategy.AutoSize),
            Is.EqualTo(((int?)4, false)));
        Assert.That(
            (auto.Settings!.BatchingStrategy.Size, auto.Settings.BatchingStrategy.IsAutoSize),
            Is.EqualTo(((int?)null, true)));
    }

    [Test]
    public void A_size_from_another_source_satisfies_fixed_size()
    {
        var result = SettingsReader.Read(
            BatchBuildSection("<BatchingStrategy><Type>fixed-size</Type></BatchingStrategy>"),
            Environment(("BATCHBUILD_SIZE", "4")));

        Assert.That(result.Settings!.BatchingStrategy.Size, Is.EqualTo(4));
    }

    [Test]
    public void Several_problems_in_several_sources_are_reported_in_one_read()
    {
        var result = SettingsReader.Read(
            BatchBuildSection(
                "<BatchingStrategy><Type>fixed-size</Type><Size>x</Size><Percentile>200</Percentile></BatchingStrategy>"
                + "<Wrokers>2</Wrokers>"),
            Properties(("BatchBuildWorkers", "-3")),
            Environment(("BATCHBUILD_SIZE", "4"), ("BATCHBUILD_SISE", "4")));

        Assert.That(result.Settings, Is.Null);
        Assert.That(
            result.Diagnostics.Select(d => (d.Code, d.Severity, d.Setting)),
            Is.EquivalentTo(new[]
            {
                ("BB1002", DiagnosticSeverity.Error, "BatchBuild/BatchingStrategy/Size"),
                ("BB1002", DiagnosticSeverity.Error, "BatchBuild/BatchingStrategy/Percentile"),
                ("BB1001", DiagnosticSeverity.Warning, "BatchBuild/Wrokers"),
                ("BB1002", DiagnosticSeverity.Error, "MSBuild property BatchBuildWorkers"),
                ("BB1001", DiagnosticSeverity.Warning, "environment variable BATCHBUILD_SISE"),
            }));
    }

    [Test]
    public void An_unknown_setting_is_a_warning_listing_the_known_ones()
    {
        var result = SettingsReader.Read(
            BatchBuildSection("<BatchingStrategy><Type>isolate</Type><Sise>3</Sise></BatchingStrategy>"));

        var warning = result.Diagnostics.Single();
        Assert.That(result.Settings, Is.Not.Null);
        Assert.That(
            (warning.Code, warning.Severity, warning.Setting),
            Is.EqualTo(("BB1001", DiagnosticSeverity.Warning, "BatchBuild/BatchingStrategy/Sise")));
        Assert.That(warning.Message, Does.Contain("BatchingStrategy/Size").And.Contain("Workers"));
        Assert.That(
            warning.ToString(),
            Is.EqualTo($"{File}(1): warning BB1001: BatchBuild/BatchingStrategy/Sise: {warning.Message}"));
    }

    [Test]
    public void Variables_that_carry_run_state_are_not_unknown_settings()
    {
        var result = SettingsReader.Read(Environment(
            ("BATCHBUILD_BATCH_ID", "x"),
            ("BATCHBUILD_TEST_BATCH", "3"),
            ("BATCHBUILD_TEST_BATCH_COUNT", "9")));

        Assert.That(result.Diagnostics, Is.Empty);
        Assert.That(
            result.Settings!.BatchId,
            Is.Null,
            "BATCHBUILD_BATCH_ID is resolved by BatchIdResolver, after explicit settings");
    }

    [Test]
    public void A_runsettings_file_that_is_not_xml_is_an_error_with_its_line()
    {
        var result = SettingsReader.Read(RunSettings("<RunSettings>\n<BatchBuild>\n</RunSettings>"));

        var error = result.Errors.Single();
        Assert.That((error.Code, error.File, error.Line), Is.EqualTo(("BB1006", File, 3)));
    }

    [Test]
    public void A_collector_configuration_element_is_read_without_its_host_elements()
    {
        var configuration = System.Xml.Linq.XElement.Parse(
            "<Configuration><Framework>.NETCoreApp,Version=v10.0</Framework><Workers>2</Workers></Configuration>");

        var result = SettingsReader.Read(SettingsLayer.FromRunSettingsSection(configuration, File, "Framework"));

        Assert.That(result.Diagnostics, Is.Empty);
        Assert.That(result.Settings!.Workers, Is.EqualTo(2));
    }

    private static void AssertSingleError(
        SettingsResult result,
        string code,
        string setting,
        string value,
        string allowed,
        string? file)
    {
        Assert.That(result.Settings, Is.Null);
        var error = result.Diagnostics.Single();
        Assert.Multiple(() =>
        {
            Assert.That(error.Severity, Is.EqualTo(DiagnosticSeverity.Error));
            Assert.That(error.Code, Is.EqualTo(code));
            Assert.That(error.Setting, Is.EqualTo(setting));
            Assert.That(error.File, Is.EqualTo(file));
            Assert.That(error.Message, Does.Contain($"'{value}'").And.Contain(allowed));
        });
    }
}

public class TimeLimitTests
{
    [TestCase("-PT1H", 60)]
    [TestCase("PT1H", 60)]
    [TestCase("-P1DT30M", 1470)]
    [TestCase("-P7D", 10080)]
    public void A_duration_looks_back_from_now(string text, int minutes)
    {
        var now = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

        Assert.That(TimeLimit.TryParse(text, out var limit), Is.True);
        Assert.That(limit!.WindowStart(now), Is.EqualTo(now.AddMinutes(-minutes)));
    }

    [TestCase("2026-11-01", "2026-11-01T00:00:00Z")]
    [TestCase("2026-11-01T08:30:00+02:00", "2026-11-01T06:30:00Z")]
    public void A_date_time_is_a_fixed_start(string text, string expected)
    {
        Assert.That(TimeLimit.TryParse(text, out var limit), Is.True);
        Assert.That(
            limit!.WindowStart(DateTimeOffset.UtcNow),
            Is.EqualTo(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture)));
    }
}
