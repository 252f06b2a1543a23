using BatchBuild.Core.Agents;
using BatchBuild.Core.Store;

namespace BatchBuild.Core.Api;

/// <summary>A test batch an agent registers: its tests by name within the assembly, and how long it is expected to take.</summary>
public sealed record QueuedTestBatchDto(IReadOnlyList<string?>? Tests, double ExpectedMillis);

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
                problems.Add($"testBatches[{i}].tests: every name non-empty, at most {ResultDto.MaxTextLength} characters");
            }

            if (TestBatches[i]!.ExpectedMillis is < 0 or > 1e12 || double.IsNaN(TestBatches[i]!.ExpectedMillis))
            {
                problems.Add($"testBatches[{i}].expectedMillis: a number from 0 to 10^12");
            }
        }

        return problems.Count > 0
            ? (null, problems)
            : ([.. TestBatches.Select((batch, i) => new QueuedTestBatch(i + 1, [.. batch!.Tests!.Select(test => StoredText.Clean(test!))], batch.ExpectedMillis))], problems);
    }
}

/// <summary>An agent that asks for the next test batch of an assembly: <c>POST /api/v1/batches/{id}/leases</c>.</summary>
public sealed record LeaseRequest(string? Assembly, string? Agent)
{
    /// <summary>Every problem found, each naming its field.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        Names.Check(Assembly, "assembly", problems);
        Names.CheckAgent(Agent, "agent", problems);
        return problems;
    }
}

/// <summary>
/// The answer to a lease request: <c>leased</c> with the lease, its test batch and how often to
/// renew it; <c>wait</c> with how long to wait before asking again; or <c>done</c>.
/// </summary>
public sealed record LeaseResponse(string Status, Lease? Lease, QueuedTestBatch? TestBatch, double? HeartbeatMillis, double? RetryAfterMillis)
{
    /// <summary>The status of a granted lease.</summary>
    public const string Leased = "leased";

    /// <summary>The status that says to ask again later.</summary>
    public const string Waiting = "wait";

    /// <summary>The status that says nothing is left for the agent.</summary>
    public const string Done = "done";
}

/// <summary>The agent that renews or completes a lease: <c>POST /api/v1/batches/{id}/leases/{lease}/heartbeat</c> and <c>…/complete</c>.</summary>
public sealed record LeaseAgent(string? Agent)
{
    /// <summary>Every problem found, each naming its field.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        Names.CheckAgent(Agent, "agent", problems);
        return problems;
    }
}

/// <summary>What became of a completed lease: <c>completed</c>, or <c>duplicate</c> when another agent had taken its test batch over.</summary>
public sealed record LeaseCompletion(CompletionStatus Status);

/// <summary>One page of a batch's leases, per assembly in the order granted: <c>GET /api/v1/batches/{id}/leases?page=&amp;pageSize=</c>.</summary>
/// <param name="BatchId">The batch.</param>
/// <param name="Leases">The leases on this page.</param>
/// <param name="Total">How many leases the batch's queues hold, on all pages.</param>
/// <param name="Page">The 1-based page.</param>
/// <param name="PageSize">Leases per page.</param>
public sealed record LeasesDto(string BatchId, IReadOnlyList<Lease> Leases, int Total, int Page, int PageSize)
{
    /// <summary>The page size when none is asked for.</summary>
    public const int DefaultPageSize = 200;

    /// <summary>The largest page served: see <see cref="AnswerBounds.LeasesPage"/>.</summary>
    public const int MaxPageSize = 200;
}

/// <summary>The checks names on the wire share.</summary>
internal static class Names
{
    public static void Check(string? value, string field, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > ResultDto.MaxTextLength)
        {
            problems.Add($"{field}: required, at most {ResultDto.MaxTextLength} characters");
        }
    }

    /// <summary>What an agent name may hold, for error messages.</summary>
    public const string AgentRule = "required, at most 2048 characters, no control characters or unpaired surrogates";

    /// <summary>
    /// An agent's name identifies it, so it is refused rather than stored replaced: text that the
    /// store would change (U+0000, an unpaired surrogate, both stored as U+FFFD) would make two
    /// agents one. Other control characters are no part of a name either.
    /// </summary>
    public static void CheckAgent(string? value, string field, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > ResultDto.MaxTextLength || value.Any(char.IsControl) || StoredText.Clean(value) != value)
        {
            problems.Add($"{field}: {AgentRule}");
        }
    }
}
