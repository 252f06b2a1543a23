using System.Globalization;
using System.Text;
using System.Text.Json;

namespace BatchBuild.Core.Batches;

/// <summary>
/// The completion notification of a closed batch: the document webhooks receive and the summary
/// file holds, with its Markdown and build-log forms.
/// </summary>
/// <param name="BatchId">The batch ID.</param>
/// <param name="Name">The batch's name (<c>id</c>, or <c>id#sequence</c> after the first batch of the ID).</param>
/// <param name="Sequence">Which batch of this ID it is, from 1.</param>
/// <param name="State">Always <c>closed</c>.</param>
/// <param name="Reason"><c>explicit</c>, <c>idle</c> or <c>age</c>.</param>
/// <param name="StartedAt">When its first test reported.</param>
/// <param name="ClosedAt">When it closed.</param>
/// <param name="DurationSeconds">From start to close.</param>
/// <param name="Counts">Its frozen counts.</param>
/// <param name="FailedTests">
/// Its failed tests, with their messages: at most <see cref="MaxFailedTests"/>, each message at
/// most <see cref="MaxMessageLength"/> characters, so that a batch with thousands of failures
/// still makes a document a webhook takes.
/// </param>
/// <param name="FailedTestsOmitted">How many failed tests <paramref name="FailedTests"/> leaves out.</param>
/// <param name="Rerun">
/// Whether a re-run of a CI job re-opened the batch after an earlier close: this document is sent
/// again, with the counts as the re-run left them, and replaces the one sent before.
/// </param>
/// <param name="Attempt">The attempt of the CI job that last ran in the batch (1 without re-runs).</param>
public sealed record BatchCompletion(
    string BatchId,
    string Name,
    int Sequence,
    string State,
    string Reason,
    DateTimeOffset StartedAt,
    DateTimeOffset ClosedAt,
    double DurationSeconds,
    BatchCounts Counts,
    IReadOnlyList<FailedTest> FailedTests,
    int FailedTestsOmitted = 0,
    bool Rerun = false,
    int Attempt = 1)
{
    /// <summary>The most failed tests a notification lists.</summary>
    public const int MaxFailedTests = 100;

    /// <summary>The longest error message a notification holds; a longer one is cut and ends with "…".</summary>
    public const int MaxMessageLength = 1000;

    /// <summary>
    /// <paramref name="message"/> cut to <see cref="MaxMessageLength"/> characters, the last of
    /// them "…", when it is longer; never between the two halves of a surrogate pair.
    /// </summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(message))]
    public static string? Cut(string? message)
    {
        if (message is null || message.Length <= MaxMessageLength)
        {
            return message;
        }

        var keep = MaxMessageLength - 1;
        if (char.IsHighSurrogate(message[keep - 1]))
        {
            keep--;
        }

        return string.Concat(message.AsSpan(0, keep), "…");
    }

    /// <summary>
    /// The notification of <paramref name="batch"/>, which must be closed, listing the first
    /// <see cref="MaxFailedTests"/> of <paramref name="failedTests"/> by assembly and name with
    /// their messages cut; the batch's failed count says how many were left out.
    /// </summary>
    public static BatchCompletion From(BatchInfo batch, IEnumerable<FailedTest> failedTests)
    {
        if (batch.State != BatchState.Closed || batch.ClosedAt is not { } closedAt || batch.Reason is not { } reason)
        {
            throw new ArgumentException($"Batch {batch.Name} is not closed.", nameof(batch));
        }

        var c = batch.Counts;
        FailedTest[] listed =
        [
            .. failedTests
                .OrderBy(t => t.Assembly, StringComparer.Ordinal).ThenBy(t => t.Name, StringComparer.Ordinal)
                .Take(MaxFailedTests)
                .Select(t => t with { Message = Cut(t.Message) }),
        ];
        return new BatchCompletion(
            batch.Id.Value,
            batch.Name,
            batch.Sequence,
            "closed",
            reason.ToString().ToLowerInvariant(),
            batch.StartedAt,
            closedAt,
            Math.Round((closedAt - batch.StartedAt).TotalSeconds, 3),
            c with { TestMillis = Math.Round(c.TestMillis, 1) },
            listed,
            Math.Max(0, c.Failed - listed.Length),
            batch.Rerun,
            batch.CiAttempt);
    }

    /// <summary>The document as JSON (camelCase).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, BatchCompletionJson.Default.BatchCompletion);

    /// <summary>Reads a document written by <see cref="ToJson"/>.</summary>
    public static BatchCompletion FromJson(string json) =>
        JsonSerializer.Deserialize(json, BatchCompletionJson.Default.BatchCompletion)
        ?? throw new JsonException("The completion document is empty.");

    /// <summary>The one line the build log shows.</summary>
    public string ToLogLine() => string.Create(
        CultureInfo.InvariantCulture,
        $"BatchBuild batch {Name} closed "
        + $"({Reason}{(Rerun ? $", again after the re-run of attempt {Attempt}" : string.Empty)}): "
        + $"{Counts.Passed} passed, {Counts.Failed} failed, {Counts.Skipped} skipped"
        + $"{(Counts.Retried > 0 ? $" ({Counts.Flaky} flaky, {Counts.Retried} retried)" : string.Empty)} "
        + $"in {Counts.TestBatches} test batches on {Counts.Agents} agents; open {DurationSeconds:0.0} s");

    /// <summary>A Markdown summary, as attached to an Azure Pipelines run.</summary>
    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"## BatchBuild batch `{Name}`\n\n");
        var again = Rerun
            ? $" Closed again after the re-run of attempt {Attempt}: these counts replace the ones sent before."
            : string.Empty;
        text.Append(CultureInfo.InvariantCulture, $"Closed ({Reason}) at {ClosedAt:u}, open {DurationSeconds:0.0} s.");
        text.Append(again).Append("\n\n");
        text.Append("| passed | failed | skipped | flaky | retried | test batches | agents |\n");
        text.Append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        text.Append(
            CultureInfo.InvariantCulture,
            $"| {Counts.Passed} | {Counts.Failed} | {Counts.Skipped} | {Counts.Flaky} | {Counts.Retried} "
            + $"| {Counts.TestBatches} | {Counts.Agents} |\n");
        if (FailedTests.Count > 0)
        {
            text.Append("\n### Failed tests\n\n");
            foreach (var test in FailedTests)
            {
                text.Append(CultureInfo.InvariantCulture, $"- `{test.Name}` ({test.Assembly})");
                if (!string.IsNullOrWhiteSpace(test.Message))
                {
                    text.Append(": ").Append(test.Message.Trim().Split('\n')[0].Trim());
                }

                text.Append('\n');
            }

            if (FailedTestsOmitted > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"- … and {FailedTestsOmitted} more\n");
            }
        }

        return text.ToString();
    }
}
