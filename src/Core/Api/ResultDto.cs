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
        var cut = char.IsHighSurrogate(message[MaxListedErrorLength - 1])
            ? MaxListedErrorLength - 1
            : MaxListedErrorLength;
        return From(record) with { ErrorMessage = message[..cut] + CutMarker(message.Length) };
    }

    private static string CutMarker(int length) =>
        $" … [cut: {length} characters in all; GET /api/v1/tests/runs?assembly=&name= has the whole message]";

    /// <summary>A result as sent.</summary>
    public static ResultDto From(TestResultRecord record) => new(
        record.BatchId.Value,
        record.TestBatch,
        record.Test.Assembly,
        record.Test.FullyQualifiedName,
        record.DisplayName,
        record.Outcome,
        record.DurationMillis,
        record.FinishedAt,
        record.Agent,
        record.Attempt,
        record.ErrorMessage);

    /// <summary>The record, or the problems that keep this result from being one.</summary>
    public TestResultRecord? ToRecord(int index, List<string> problems)
    {
        var before = problems.Count;
        if (!Batches.BatchId.TryCreate(BatchId, out var id, out var idProblem))
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
            problems.Add(
                $"results[{index}].durationMillis: milliseconds from 0 to "
                + $"{TestResultRecord.MaxDurationMillis:0} (7 days)");
        }

        if (TestBatch is < 0 or > MaxTestBatch)
        {
            problems.Add($"results[{index}].testBatch: 0 to {MaxTestBatch}");
        }

        if (FinishedAt is null
            || FinishedAt < TestResultRecord.EarliestFinish
            || FinishedAt >= TestResultRecord.LatestFinish)
        {
            problems.Add(
                $"results[{index}].finishedAt: required, {OffsetTimeJsonConverter.Rule}, "
                + $"from {TestResultRecord.EarliestFinish:yyyy-MM-dd} "
                + $"to before {TestResultRecord.LatestFinish:yyyy-MM-dd}");
        }

        // Text the database cannot keep is replaced, not refused: see StoredText.
        return problems.Count > before
            ? null
            : new TestResultRecord(
                id,
                TestBatch,
                new TestKey(Assembly!, Name!),
                DisplayName ?? Name!,
                Outcome!.Value,
                DurationMillis,
                FinishedAt!.Value,
                Agent!,
                Attempt!,
                ErrorMessage is { Length: > MaxErrorLength } message ? message[..MaxErrorLength] : ErrorMessage)
                .Cleaned();

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
