using System.Text.Json;
using System.Text.Json.Serialization;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Store;

namespace BatchBuild.Core.Api;

/// <summary>One test result on the wire (<c>POST /api/v1/results</c>).</summary>
public sealed record ResultDto(
    string? BatchId,
    int TestBatch,
    string? Assembly,
    string? Name,
    string? DisplayName,
    TestRunOutcome? Outcome,
    double DurationMillis,
    DateTimeOffset? FinishedAt,
    string? Agent,
    string? Attempt,
    string? ErrorMessage)
{
    /// <summary>The longest name, agent or attempt accepted.</summary>
    public const int MaxTextLength = 2048;

    /// <summary>The longest error message kept; longer ones are cut.</summary>
    public const int MaxErrorLength = 16_384;

    /// <summary>The highest test batch index accepted.</summary>
    public const int MaxTestBatch = 1_000_000;

    /// <summary>
    /// The longest error message a list of results carries (a page of a batch's results): a
    /// longer one is cut and ends with a marker that says how long it is and where it is whole.
    /// </summary>
    public const int MaxListedErrorLength = 1024;

    /// <summary>The longest marker at the end of a cut message.</summary>
    public static readonly int MaxCutMarkerLength = CutMarker(MaxErrorLength).Length;

    /// <summary>A result as a list shows it: its error message cut at <see cref="MaxListedErrorLength"/>.</summary>
    public static ResultDto Listed(TestResultRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.ErrorMessage is not { Length: > MaxListedErrorLength } message)
        {
            return From(record);
        }

        // A character beyond U+FFFF is not cut in half.
        var cut = char.IsHighSurrogate(message[MaxListedErrorLength - 1]) ? MaxListedErrorLength - 1 : MaxListedErrorLength;
        return From(record) with { ErrorMessage = message[..cut] + CutMarker(message.Length) };
    }

    private static string CutMarker(int length) =>
        $" … [cut: {length} characters in all; GET /api/v1/tests/runs?assembly=&name= has the whole message]";

    /// <summary>A result as sent.</summary>
    public static ResultDto From(TestResultRecord record) => new(
        record.BatchId.Value, record.TestBatch, record.Test.Assembly, record.Test.FullyQualifiedName, record.DisplayName,
        record.Outcome, record.DurationMillis, record.FinishedAt, record.Agent, record.Attempt, record.ErrorMessage);

    /// <summary>The record, or the problems that keep this result from being one.</summary>
    public TestResultRecord? ToRecord(int index, List<string> problems)
    {
        var before = problems.Count;
        var id = default(BatchId);
        if (!Batches.BatchId.TryCreate(BatchId, out id, out var idProblem))
        {
            problems.Add($"results[{index}].batchId: {idProblem}");
        }

        Require(Assembly, "assembly");
        Require(Name, "name");
        Names.CheckAgent(Agent, $"results[{index}].agent", problems);
        Require(Attempt, "attempt");
        if (DisplayName is { Length: > MaxTextLength })
        {
            problems.Add($"results[{index}].displayName: longer than {MaxTextLength} characters");
        }

        if (Outcome is null || !Enum.IsDefined(Outcome.Value))
        {
            problems.Add($"results[{index}].outcome: required, {OutcomeJsonConverter.Rule}");
        }

        if (!double.IsFinite(DurationMillis) || DurationMillis is < 0 or > TestResultRecord.MaxDurationMillis)
        {
            problems.Add($"results[{index}].durationMillis: milliseconds from 0 to {TestResultRecord.MaxDurationMillis:0} (7 days)");
        }

        if (TestBatch is < 0 or > MaxTestBatch)
        {
            problems.Add($"results[{index}].testBatch: 0 to {MaxTestBatch}");
        }

        if (FinishedAt is null || FinishedAt < TestResultRecord.EarliestFinish || FinishedAt >= TestResultRecord.LatestFinish)
        {
            problems.Add($"results[{index}].finishedAt: required, {OffsetTimeJsonConverter.Rule}, from {TestResultRecord.EarliestFinish:yyyy-MM-dd} to before {TestResultRecord.LatestFinish:yyyy-MM-dd}");
        }

        // Text the database cannot keep is replaced, not refused: see StoredText.
        return problems.Count > before
            ? null
            : new TestResultRecord(
                id, TestBatch, new TestKey(Assembly!, Name!), DisplayName ?? Name!, Outcome!.Value, DurationMillis, FinishedAt!.Value, Agent!, Attempt!,
                ErrorMessage is { Length: > MaxErrorLength } message ? message[..MaxErrorLength] : ErrorMessage).Cleaned();

        void Require(string? value, string field)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                problems.Add($"results[{index}].{field}: required");
            }
            else if (value.Length > MaxTextLength)
            {
                problems.Add($"results[{index}].{field}: longer than {MaxTextLength} characters");
            }
        }
    }
}

/// <summary>A report of results: <c>POST /api/v1/results</c>.</summary>
public sealed record ResultsRequest(IReadOnlyList<ResultDto>? Results)
{
    /// <summary>The most results one request may carry.</summary>
    public const int MaxResults = 5000;

    /// <summary>
    /// The most batch IDs one request may carry: every ID opens or joins a batch in the same
    /// transaction, which holds the store's write lock for all other writers meanwhile.
    /// </summary>
    public const int MaxBatchesPerReport = 16;

    /// <summary>The records, or every problem found, each naming its field.</summary>
    public (IReadOnlyList<TestResultRecord> Records, IReadOnlyList<string> Problems) Validate()
    {
        var problems = new List<string>();
        if (Results is null || Results.Count == 0)
        {
            return ([], ["results: required, 1 or more results"]);
        }

        if (Results.Count > MaxResults)
        {
            return ([], [$"results: {Results.Count} results; send at most {MaxResults} per request"]);
        }

        var records = new List<TestResultRecord>(Results.Count);
        for (var i = 0; i < Results.Count; i++)
        {
            if (Results[i] is null)
            {
                problems.Add($"results[{i}]: null");
            }
            else if (Results[i].ToRecord(i, problems) is { } record)
            {
                records.Add(record);
            }
        }

        var batches = records.Select(record => record.BatchId).Distinct().Count();
        if (batches > MaxBatchesPerReport)
        {
            problems.Add($"results: {batches} batch IDs in one request; send at most {MaxBatchesPerReport}");
        }

        return (records, problems);
    }
}

/// <summary>The counts of a batch on the wire.</summary>
public sealed record CountsDto(int Passed, int Failed, int Skipped, int Total, int TestBatches, int Agents, double TestMillis, int Flaky = 0, int Retried = 0)
{
    /// <summary>The counts as read.</summary>
    public BatchCounts ToCounts() => new(Passed, Failed, Skipped, TestBatches, Agents, TestMillis, Flaky, Retried);
}

/// <summary>A batch on the wire.</summary>
public sealed record BatchDto(
    string BatchId,
    string Name,
    int Sequence,
    string State,
    DateTimeOffset StartedAt,
    DateTimeOffset LastActivityAt,
    DateTimeOffset? ClosedAt,
    string? Reason,
    double DurationSeconds,
    CountsDto Counts,
    bool NotifyOnCompletion,
    bool Rerun = false,
    int CiAttempt = 1)
{
    /// <summary>The batch as sent; an active batch's duration runs to <paramref name="now"/>.</summary>
    public static BatchDto From(BatchInfo batch, DateTimeOffset now) => new(
        batch.Id.Value,
        batch.Name,
        batch.Sequence,
        batch.State.ToString().ToLowerInvariant(),
        batch.StartedAt,
        batch.LastActivityAt,
        batch.ClosedAt,
        batch.Reason?.ToString().ToLowerInvariant(),
        Math.Round(((batch.ClosedAt ?? now) - batch.StartedAt).TotalSeconds, 3),
        new CountsDto(batch.Counts.Passed, batch.Counts.Failed, batch.Counts.Skipped, batch.Counts.Total, batch.Counts.TestBatches, batch.Counts.Agents, batch.Counts.TestMillis, batch.Counts.Flaky, batch.Counts.Retried),
        batch.NotifyOnCompletion,
        batch.Rerun,
        batch.CiAttempt);
}

/// <summary>The answer to a report: the batches the results went to.</summary>
public sealed record ResultsResponse(IReadOnlyList<BatchDto> Batches, int Received);

/// <summary>One page of batches: <c>GET /api/v1/batches</c>.</summary>
public sealed record BatchPageDto(IReadOnlyList<BatchDto> Batches, int Total, int Page, int PageSize);

/// <summary>
/// A batch with one page of its results (failed first), each error message cut at
/// <see cref="ResultDto.MaxListedErrorLength"/>; the runs of its test batches are on their own
/// route (<see cref="TimelineDto"/>).
/// </summary>
public sealed record BatchResultsDto(BatchDto Batch, IReadOnlyList<ResultDto> Results, int Total, int Page, int PageSize);

/// <summary>The answer to a close: what happened, and the batch.</summary>
public sealed record CloseResponse(string Status, BatchDto? Batch);

/// <summary>What became of a batch's completion notification, one delivery per webhook: <c>GET /api/v1/batches/{id}/{sequence}/notifications</c>.</summary>
public sealed record NotificationsDto(string BatchId, int Sequence, IReadOnlyList<DeliveryStatus> Deliveries);
/// <summary>
/// A close token the server issued: <c>POST /api/v1/batches/{id}/close-token</c>. It closes that
/// batch ID on either close route, in <c>X-BatchBuild-Close-Token</c>, until it expires.
/// </summary>
public sealed record CloseTokenDto(string Token, DateTimeOffset ExpiresAt);

/// <summary>A test named on the wire.</summary>
public sealed record TestDto(string? Assembly, string? Name);

/// <summary>What the planner asks: <c>POST /api/v1/durations</c>.</summary>
public sealed record DurationsRequest(IReadOnlyList<TestDto>? Tests, double Percentile, DateTimeOffset? Since, int? RunsPerTest, string? ExcludeBatchId = null)
{
    /// <summary>The most tests one request may name.</summary>
    public const int MaxTests = 50_000;

    /// <summary>
    /// The most assemblies one request's tests may belong to: a solution's test assemblies, with
    /// room to spare. The store reads the runs of every test of each assembly named, so that a
    /// request's cost follows it as much as the number of tests.
    /// </summary>
    public const int MaxAssemblies = 1_000;

    /// <summary>The request for <paramref name="query"/>.</summary>
    public static DurationsRequest From(DurationQuery query) =>
        new([.. query.Tests.Select(test => new TestDto(test.Assembly, test.FullyQualifiedName))], query.Percentile, query.Since, query.RunsPerTest, query.ExcludeBatchId);

    /// <summary>The query, or every problem found.</summary>
    public (DurationQuery? Query, IReadOnlyList<string> Problems) Validate()
    {
        var problems = new List<string>();
        if (Tests is null || Tests.Count > MaxTests)
        {
            problems.Add($"tests: required, at most {MaxTests} tests");
        }
        else
        {
            for (var i = 0; i < Tests.Count; i++)
            {
                if (string.IsNullOrWhiteSpace(Tests[i]?.Assembly) || string.IsNullOrWhiteSpace(Tests[i]?.Name))
                {
                    problems.Add($"tests[{i}]: assembly and name are required");
                }
            }

            var assemblies = Tests.Select(test => test?.Assembly).Distinct(StringComparer.Ordinal).Count();
            if (assemblies > MaxAssemblies)
            {
                problems.Add($"tests: tests of {assemblies} assemblies; ask for those of at most {MaxAssemblies} assemblies per request");
            }
        }

        if (Percentile is <= 0 or > 100 || double.IsNaN(Percentile))
        {
            problems.Add("percentile: a number in (0, 100]");
        }

        if (RunsPerTest is < 1 or > 1000)
        {
            problems.Add("runsPerTest: 1 to 1000");
        }

        if (Since is { } since && (since < TestResultRecord.EarliestFinish || since >= TestResultRecord.LatestFinish))
        {
            problems.Add($"since: a time from {TestResultRecord.EarliestFinish:yyyy-MM-dd} to before {TestResultRecord.LatestFinish:yyyy-MM-dd}");
        }

        if (ExcludeBatchId is { } exclude && !BatchId.TryCreate(exclude, out _, out var problem))
        {
            problems.Add($"excludeBatchId: {problem}");
        }

        return problems.Count > 0
            ? (null, problems)
            : (new DurationQuery([.. Tests!.Select(test => new TestKey(StoredText.Clean(test.Assembly!), StoredText.Clean(test.Name!)))], Percentile, Since, RunsPerTest ?? DurationQuery.DefaultRunsPerTest, ExcludeBatchId), problems);
    }
}

/// <summary>The durations the planner gets back.</summary>
public sealed record DurationsResponse(IReadOnlyList<DurationDto> Durations);

/// <summary>One test's duration on the wire, with how many of its runs passed (absent from older servers).</summary>
public sealed record DurationDto(string Assembly, string Name, double Millis, int Runs, int? Passed = null)
{
    /// <summary>The duration as sent.</summary>
    public static DurationDto From(TestDuration duration) => new(duration.Test.Assembly, duration.Test.FullyQualifiedName, duration.Millis, duration.Runs, duration.Passed);

    /// <summary>The duration as read; a pass count outside [0, runs] is dropped.</summary>
    public TestDuration ToDuration() => new(new TestKey(Assembly, Name), Millis, Runs, Passed is { } passed && passed >= 0 && passed <= Runs ? passed : null);
}

/// <summary>A test's recorded runs, with their whole error messages: <c>GET /api/v1/tests/runs</c>.</summary>
public sealed record TestRunsDto(string Assembly, string Name, IReadOnlyList<ResultDto> Runs)
{
    /// <summary>How many runs are read when no limit is asked for.</summary>
    public const int DefaultLimit = 50;

    /// <summary>The most runs read at once: see <see cref="AnswerBounds.TestRuns"/>.</summary>
    public const int MaxLimit = 50;
}

/// <summary>
/// The JSON of the batch server's API: camelCase, enums as camelCase strings, generated at compile
/// time. An outcome is one of its names only, a time carries its offset, and text holding an
/// escaped unpaired surrogate is read as sent (see the converters).
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    RespectNullableAnnotations = false,
    Converters = [typeof(OutcomeJsonConverter), typeof(OffsetTimeJsonConverter), typeof(WireTextJsonConverter)])]
[JsonSerializable(typeof(ResultsRequest))]
[JsonSerializable(typeof(ResultsResponse))]
[JsonSerializable(typeof(BatchPageDto))]
[JsonSerializable(typeof(BatchDto))]
[JsonSerializable(typeof(BatchResultsDto))]
[JsonSerializable(typeof(CloseResponse))]
[JsonSerializable(typeof(NotificationsDto))]
[JsonSerializable(typeof(DeliveryPage))]
[JsonSerializable(typeof(CloseTokenDto))]
[JsonSerializable(typeof(DurationsRequest))]
[JsonSerializable(typeof(DurationsResponse))]
[JsonSerializable(typeof(TestRunsDto))]
[JsonSerializable(typeof(QueueRegistration))]
[JsonSerializable(typeof(QueueSummaryDto))]
[JsonSerializable(typeof(QueuePlanRequest))]
[JsonSerializable(typeof(QueuePlanPageDto))]
[JsonSerializable(typeof(TimelineDto))]
[JsonSerializable(typeof(LeaseRequest))]
[JsonSerializable(typeof(LeaseResponse))]
[JsonSerializable(typeof(LeaseAgent))]
[JsonSerializable(typeof(LeaseCompletion))]
[JsonSerializable(typeof(LeasesDto))]
[JsonSerializable(typeof(RerunRequest))]
[JsonSerializable(typeof(RerunResponse))]
public sealed partial class ApiJson : JsonSerializerContext;
