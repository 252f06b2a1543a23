using BatchBuild.Core.Agents;
using BatchBuild.Core.Store;

namespace BatchBuild.Core.Api;

/// <summary>
/// An agent's tests of one assembly, as its plan cut them: <c>POST /api/v1/batches/{id}/queue</c>.
/// The answer is a summary of the queue's plan (<see cref="QueueSummaryDto"/>); the plan itself is
/// read page by page (<see cref="QueuePlanRequest"/>).
/// </summary>
public sealed record QueueRegistration(string? Assembly, string? Agent, IReadOnlyList<QueuedTestBatchDto>? TestBatches)
{
    /// <summary>The most tests one registration may hold.</summary>
    public const int MaxTests = 200_000;

    /// <summary>The test batches, or every problem found, each naming its field.</summary>
    public (IReadOnlyList<QueuedTestBatch>? Plan, IReadOnlyList<string> Problems) Validate()
    {
        var problems = new List<string>();
        Names.Check(Assembly, "assembly", problems);
        Names.CheckAgent(Agent, "agent", problems);
        if (TestBatches is null || TestBatches.Sum(batch => batch?.Tests?.Count ?? 0) > MaxTests)
        {
            problems.Add($"testBatches: required, at most {MaxTests} tests in all");
            return (null, problems);
        }

        for (var i = 0; i < TestBatches.Count; i++)
        {
            if (TestBatches[i]?.Tests is not { Count: > 0 } tests)
            {
                problems.Add($"testBatches[{i}].tests: required, at least one test name");
                continue;
            }

            if (tests.Any(test => string.IsNullOrWhiteSpace(test) || test.Length > ResultDto.MaxTextLength))
            {
                problems.Add(
                    $"testBatches[{i}].tests: every name non-empty, at most {ResultDto.MaxTextLength} characters");
            }

            if (TestBatches[i]!.ExpectedMillis is < 0 or > 1e12 || double.IsNaN(TestBatches[i]!.ExpectedMillis))
            {
                problems.Add($"testBatches[{i}].expectedMillis: a number from 0 to 10^12");
            }
        }

        return problems.Count > 0
            ? (null, problems)
            : ([
                .. TestBatches.Select((batch, i) => new QueuedTestBatch(
                    i + 1,
                    [.. batch!.Tests!.Select(test => StoredText.Clean(test!))],
                    batch.ExpectedMillis)),
            ], problems);
    }
}
