using System.Globalization;
using BatchBuild.Core.Batches;

namespace BatchBuild.Core.Configuration;

/// <summary>The table of every setting BatchBuild reads.</summary>
internal static class SettingDefinitions
{
    public static readonly IReadOnlyList<SettingDefinition> All =
    [
        new("BatchingStrategy/Type", "BatchBuildStrategy", "BATCHBUILD_STRATEGY", (text, s) =>
            ParseStrategy(text) is { } type
                ? (s with { BatchingStrategy = s.BatchingStrategy with { Type = type } }, null)
                : (null, new ValueProblem(
                    DiagnosticCodes.UnknownStrategy,
                    "one of " + string.Join(", ", BatchBuildSettings.StrategyNames.Values)))),
        new("BatchingStrategy/Size", "BatchBuildSize", "BATCHBUILD_SIZE", (text, s) =>
            string.Equals(text, AutoSizeValue, StringComparison.OrdinalIgnoreCase)
                ? (s with { BatchingStrategy = s.BatchingStrategy with { Size = null, AutoSize = true } }, null)
            : ParseWhole(text, 1) is { } size
                ? (s with { BatchingStrategy = s.BatchingStrategy with { Size = (int)size, AutoSize = false } }, null)
                : (null, new ValueProblem(
                    DiagnosticCodes.InvalidNumber,
                    $"a whole number greater than 0, or {AutoSizeValue} to size test batches "
                    + "from the start cost model"))),
        new("BatchingStrategy/DurationMillis", "BatchBuildDurationMillis", "BATCHBUILD_DURATION_MILLIS", (text, s) =>
            ParseWhole(text, 1, long.MaxValue) is { } millis
                ? (s with { BatchingStrategy = s.BatchingStrategy with { DurationMillis = millis } }, null)
                : (null, WholeNumber(1, "milliseconds"))),
        new("BatchingStrategy/Percentile", "BatchBuildPercentile", "BATCHBUILD_PERCENTILE", (text, s) =>
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var p) && p > 0 && p <= 100
                ? (s with { BatchingStrategy = s.BatchingStrategy with { Percentile = p } }, null)
                : (null, new ValueProblem(
                    DiagnosticCodes.InvalidNumber,
                    "a number greater than 0 and at most 100, such as 90 or 99.5"))),
        new("BatchingStrategy/TimeLimit", "BatchBuildTimeLimit", "BATCHBUILD_TIME_LIMIT", (text, s) =>
            TimeLimit.TryParse(text, out var limit)
                ? (s with { BatchingStrategy = s.BatchingStrategy with { TimeLimit = limit } }, null)
                : (null, TimeLimitProblem)),
        new("BatchingStrategy/LastMileLength", "BatchBuildLastMileLength", "BATCHBUILD_LAST_MILE_LENGTH", (text, s) =>
            ParseWhole(text, 0) is { } length
                ? (s with { BatchingStrategy = s.BatchingStrategy with { LastMileLength = (int)length } }, null)
                : (null, WholeNumber(0))),
        new("Workers", "BatchBuildWorkers", "BATCHBUILD_WORKERS", (text, s) =>
            ParseWhole(text, 1) is { } workers
                ? (s with { Workers = (int)workers }, null)
                : (null, WholeNumber(1))),
        new("DefaultDurationMillis", "BatchBuildDefaultDurationMillis", "BATCHBUILD_DEFAULT_DURATION_MILLIS",
            (text, s) =>
                ParseWhole(text, 1, long.MaxValue) is { } millis
                    ? (s with { DefaultDurationMillis = millis }, null)
                    : (null, WholeNumber(1, "milliseconds"))),
        new("Store", "BatchBuildStore", "BATCHBUILD_STORE", (text, s) => (s with { StorePath = text }, null)),
        new("ExportApplitoolsBatchId", "BatchBuildExportApplitoolsBatchId", "BATCHBUILD_EXPORT_APPLITOOLS_BATCH_ID",
            (text, s) =>
                ParseBoolean(text) is { } export
                    ? (s with { ExportApplitoolsBatchId = export }, null)
                    : (null, Boolean)),

        new("RetryStrategy/Type", "BatchBuildRetryStrategy", "BATCHBUILD_RETRY_STRATEGY", (text, s) =>
            Named(RetrySettings.TypeNames, text) is { } type
                ? (s with { Retry = s.Retry with { Type = type } }, null)
                : (null, new ValueProblem(
                    DiagnosticCodes.UnknownStrategy,
                    "one of " + string.Join(", ", RetrySettings.TypeNames.Values)))),
        new(
            "RetryStrategy/TotalAllowedRetryQuota",
            "BatchBuildTotalAllowedRetryQuota",
            "BATCHBUILD_TOTAL_ALLOWED_RETRY_QUOTA",
            (text, s) =>
                ParseWhole(text, 0) is { } quota
                    ? (s with { Retry = s.Retry with { TotalAllowedRetryQuota = (int)quota } }, null)
                    : (null, WholeNumber(0))),
        new("RetryStrategy/RetryPerTestQuota", "BatchBuildRetryPerTestQuota", "BATCHBUILD_RETRY_PER_TEST_QUOTA",
            (text, s) =>
                ParseWhole(text, 0) is { } quota
                    ? (s with { Retry = s.Retry with { RetryPerTestQuota = (int)quota } }, null)
                    : (null, WholeNumber(0))),
        new(
            "UncompletedTestRetryQuota",
            "BatchBuildUncompletedTestRetryQuota",
            "BATCHBUILD_UNCOMPLETED_TEST_RETRY_QUOTA",
            (text, s) =>
                ParseWhole(text, 0) is { } quota
                    ? (s with { Retry = s.Retry with { UncompletedTestRetryQuota = (int)quota } }, null)
                    : (null, WholeNumber(0))),
        new("ExecutionStrategy/Mode", "BatchBuildExecutionMode", "BATCHBUILD_EXECUTION_MODE", (text, s) =>
            Named(RetrySettings.ModeNames, text) is { } mode
                ? (s with { Retry = s.Retry with { Mode = mode } }, null)
                : (null, new ValueProblem(
                    DiagnosticCodes.UnknownStrategy,
                    "one of " + string.Join(", ", RetrySettings.ModeNames.Values)))),
        new("ExecutionStrategy/Fast", "BatchBuildExecutionFast", "BATCHBUILD_EXECUTION_FAST", (text, s) =>
            ParseBoolean(text) is { } fast
                ? (s with { Retry = s.Retry with { Fast = fast } }, null)
                : (null, Boolean)),
        new("TestBatchTimeoutMillis", "BatchBuildTestBatchTimeoutMillis", "BATCHBUILD_TEST_BATCH_TIMEOUT_MILLIS",
            (text, s) =>
                ParseWhole(text, 1, long.MaxValue) is { } millis
                    ? (s with { Timeouts = s.Timeouts with { TestBatchTimeoutMillis = millis } }, null)
                    : (null, WholeNumber(1, "milliseconds"))),
        new("TestOutputTimeoutMillis", "BatchBuildTestOutputTimeoutMillis", "BATCHBUILD_TEST_OUTPUT_TIMEOUT_MILLIS",
            (text, s) =>
                ParseWhole(text, 1, long.MaxValue) is { } millis
                    ? (s with { Timeouts = s.Timeouts with { TestOutputTimeoutMillis = millis } }, null)
                    : (null, WholeNumber(1, "milliseconds"))),
        new("FlakinessStrategy/Type", "BatchBuildFlakinessStrategy", "BATCHBUILD_FLAKINESS_STRATEGY", (text, s) =>
            Named(FlakinessSettings.TypeNames, text) is { } type
                ? (s with { Flakiness = s.Flakiness with { Type = type } }, null)
                : (null, new ValueProblem(
                    DiagnosticCodes.UnknownStrategy,
                    "one of " + string.Join(", ", FlakinessSettings.TypeNames.Values)))),
        new("FlakinessStrategy/MinSuccessRate", "BatchBuildMinSuccessRate", "BATCHBUILD_MIN_SUCCESS_RATE", (text, s) =>
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate)
            && rate > 0
            && rate <= 1
                ? (s with { Flakiness = s.Flakiness with { MinSuccessRate = rate } }, null)
                : (null, new ValueProblem(
                    DiagnosticCodes.InvalidNumber,
                    "a rate greater than 0 and at most 1, such as 0.8"))),
        new("FlakinessStrategy/MaxCount", "BatchBuildFlakinessMaxCount", "BATCHBUILD_FLAKINESS_MAX_COUNT", (text, s) =>
            ParseWhole(text, 1) is { } count
                ? (s with { Flakiness = s.Flakiness with { MaxCount = (int)count } }, null)
                : (null, WholeNumber(1))),
        new("FlakinessStrategy/TimeLimit", "BatchBuildFlakinessTimeLimit", "BATCHBUILD_FLAKINESS_TIME_LIMIT",
            (text, s) =>
                TimeLimit.TryParse(text, out var limit)
                    ? (s with { Flakiness = s.Flakiness with { TimeLimit = limit } }, null)
                    : (null, TimeLimitProblem)),
        new("SortingStrategy/Type", "BatchBuildSortingStrategy", "BATCHBUILD_SORTING_STRATEGY", (text, s) =>
            Named(SortingStrategyNames.All, text) is { } sorting
                ? (s with { Sorting = sorting }, null)
                : (null, new ValueProblem(
                    DiagnosticCodes.UnknownStrategy,
                    "one of " + string.Join(", ", SortingStrategyNames.All.Values)))),
        new("AgentIndex", "BatchBuildAgentIndex", "BATCHBUILD_AGENT_INDEX", (text, s) =>
            ParseWhole(text, 1) is { } index
                ? (s with { Agents = s.Agents with { Index = (int)index } }, null)
                : (null, WholeNumber(1))),
        new("AgentCount", "BatchBuildAgentCount", "BATCHBUILD_AGENT_COUNT", (text, s) =>
            ParseWhole(text, 1) is { } count
                ? (s with { Agents = s.Agents with { Count = (int)count } }, null)
                : (null, WholeNumber(1))),
        new("Distribution", "BatchBuildDistribution", "BATCHBUILD_DISTRIBUTION", (text, s) =>
            Named(Agents.AgentSlot.DistributionNames, text) is { } distribution
                ? (s with { Agents = s.Agents with { Distribution = distribution } }, null)
                : (null, new ValueProblem(
                    DiagnosticCodes.UnknownStrategy,
                    "one of " + string.Join(", ", Agents.AgentSlot.DistributionNames.Values)))),

        new("IdleTimeout", "BatchBuildIdleTimeout", "BATCHBUILD_IDLE_TIMEOUT", (text, s) =>
            ParseSpan(text) is { } idle
                ? (Lifecycle(s, l => l with { Limits = l.Limits with { IdleTimeout = idle } }), null)
                : (null, Span)),
        new("MaxBatchAge", "BatchBuildMaxBatchAge", "BATCHBUILD_MAX_BATCH_AGE", (text, s) =>
            ParseSpan(text) is { } age
                ? (Lifecycle(s, l => l with { Limits = l.Limits with { MaxAge = age } }), null)
                : (null, Span)),
        new("NotifyOnCompletion", "BatchBuildNotifyOnCompletion", "BATCHBUILD_NOTIFY_ON_COMPLETION", (text, s) =>
            ParseBoolean(text) is { } notify
                ? (Lifecycle(s, l => l with { NotifyOnCompletion = notify }), null)
                : (null, Boolean)),
        new("SummaryPath", "BatchBuildSummaryPath", "BATCHBUILD_SUMMARY_PATH", (text, s) =>
            (Lifecycle(s, l => l with { SummaryPath = text }), null)),
        new("WebhookUrl", "BatchBuildWebhookUrl", "BATCHBUILD_WEBHOOK_URL", (text, s) =>
            ParseUrls(text) is { } urls
                ? (Lifecycle(s, l => l with { WebhookUrls = urls }), null)
                : (null, Url("one or more absolute http(s) URLs separated by ';'"))),
        new("DontCloseBatch", "BatchBuildDontCloseBatch", "BATCHBUILD_DONT_CLOSE_BATCH", (text, s) =>
            ParseBoolean(text) is { } dont
                ? (Lifecycle(s, l => l with { DontCloseBatch = dont }), null)
                : (null, Boolean)),
        new("ServerUrl", "BatchBuildServerUrl", "BATCHBUILD_SERVER_URL", (text, s) =>
            ParseUrl(text) is { } server
                ? (Lifecycle(s, l => l with { ServerUrl = server }), null)
                : (null, Url("an absolute http(s) URL such as https://batches.example.com"))),
        new("ApiKey", "BatchBuildApiKey", "BATCHBUILD_API_KEY", (text, s) =>
            (Lifecycle(s, l => l with { ApiKey = text }), null)),
        new("Proxy", "BatchBuildProxy", "BATCHBUILD_PROXY", (text, s) =>
            ParseUrl(text) is { } proxy
                ? (Lifecycle(s, l => l with { Proxy = proxy }), null)
                : (null, Url("an absolute http(s) URL such as http://user:password@proxy:8080"))),

        // BATCHBUILD_BATCH_ID is not a setting: BatchIdResolver reads it after the explicit ones.
        new("BatchId", "BatchBuildBatchId", null, (text, s) =>
            BatchId.TryCreate(text, out var id, out var problem)
                ? (s with { BatchId = id }, null)
                : (null, new ValueProblem(DiagnosticCodes.InvalidBatchId, $"{problem}; use {BatchId.Rule}"))),
    ];

    /// <summary>The value of <c>BatchingStrategy/Size</c> that lets the planner choose the sizes.</summary>
    public const string AutoSizeValue = "auto";

    /// <summary>
    /// <c>BATCHBUILD_*</c> variables that are not settings but are read or set elsewhere, so not
    /// reported as unknown.
    /// </summary>
    public static readonly IReadOnlySet<string> OtherVariables = new HashSet<string>(StringComparer.Ordinal)
    {
        BatchIdResolver.BatchIdVariable,
        TestEnvironment.TestBatchVariable,
        TestEnvironment.TestBatchCountVariable,
    };

    private static readonly ValueProblem TimeLimitProblem = new(
        DiagnosticCodes.InvalidTimeLimit,
        "an ISO-8601 duration looking back, such as -PT1H or -P7D, "
        + "or an ISO-8601 date-time, such as 2026-11-01T00:00:00Z");

    private static readonly ValueProblem Boolean = new(DiagnosticCodes.InvalidBoolean, "true or false");

    private static readonly ValueProblem Span = new(
        DiagnosticCodes.InvalidTimeSpan,
        "a positive ISO-8601 duration such as PT3H or P3D, or hours:minutes:seconds such as 03:00:00");

    private static ValueProblem Url(string allowed) => new(DiagnosticCodes.InvalidUrl, allowed);

    private static BatchBuildSettings Lifecycle(
        BatchBuildSettings settings,
        Func<BatchLifecycleSettings, BatchLifecycleSettings> change) =>
        settings with { Lifecycle = change(settings.Lifecycle) };

    private static TimeSpan? ParseSpan(string text)
    {
        try
        {
            var span = text.StartsWith('P')
                ? System.Xml.XmlConvert.ToTimeSpan(text)
                : TimeSpan.ParseExact(text, [@"hh\:mm\:ss", @"d\.hh\:mm\:ss"], CultureInfo.InvariantCulture);
            return span > TimeSpan.Zero ? span : null;
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            return null;
        }
    }

    private static Uri? ParseUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var url)
        && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
            ? url
            : null;

    private static System.Collections.Immutable.ImmutableArray<Uri>? ParseUrls(string text)
    {
        var urls = text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(ParseUrl)
            .ToList();
        return urls.Count > 0 && urls.All(url => url is not null) ? [.. urls.OfType<Uri>()] : null;
    }

    private static BatchingStrategyType? ParseStrategy(string text) => Named(BatchBuildSettings.StrategyNames, text);

    private static T? Named<T>(IReadOnlyDictionary<T, string> names, string text)
        where T : struct, Enum =>
        names.FirstOrDefault(pair => string.Equals(pair.Value, text, StringComparison.OrdinalIgnoreCase))
            is { Value: not null } match
            ? match.Key
            : null;

    private static bool? ParseBoolean(string text) =>
        string.Equals(text, "true", StringComparison.OrdinalIgnoreCase) ? true
        : string.Equals(text, "false", StringComparison.OrdinalIgnoreCase) ? false
        : null;

    private static long? ParseWhole(string text, long min, long max = int.MaxValue) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
        && value >= min
        && value <= max
            ? value
            : null;

    private static ValueProblem WholeNumber(long min, string? unit = null) =>
        new(
            DiagnosticCodes.InvalidNumber,
            $"a whole number{(unit is null ? "" : " of " + unit)} {(min == 0 ? "of 0 or more" : "greater than 0")}");
}
