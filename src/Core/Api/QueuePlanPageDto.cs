using BatchBuild.Core.Agents;

namespace BatchBuild.Core.Api;

/// <summary>
/// One page of a queue's plan: the answer to <see cref="QueuePlanRequest"/>. The plan's tests are
/// read in order from <see cref="From"/>, as many as fit in <see cref="MaxBytes"/> of JSON (at
/// least one), so a page is bounded whatever the names; a test batch that does not fit comes in
/// parts with the same index on consecutive pages. <see cref="Next"/> is where the next page
/// starts, null after the plan's last test.
/// </summary>
/// <param name="Assembly">The assembly the queue holds the tests of.</param>
/// <param name="PlanTestBatches">How many test batches the plan holds now.</param>
/// <param name="PlanTests">How many tests the plan holds now.</param>
/// <param name="From">The position of this page's first test in the plan.</param>
/// <param name="Next">The position of the next page's first test; null when this page ends the plan.</param>
/// <param name="TestBatches">The test batches, or parts of them, on this page, in the plan's order.</param>
public sealed record QueuePlanPageDto(
    string Assembly,
    int PlanTestBatches,
    int PlanTests,
    int From,
    int? Next,
    IReadOnlyList<QueuedTestBatch> TestBatches)
{
    /// <summary>The most bytes of test batches one page carries, unless its one test is longer.</summary>
    public const int MaxBytes = 4_000_000;

    /// <summary>What a test batch (or part) takes in JSON besides its tests' names, at most.</summary>
    internal const int PartBytes = 80;

    /// <summary>The page of <paramref name="plan"/> that starts at test <paramref name="from"/>.</summary>
    public static QueuePlanPageDto Of(
        string assembly,
        IReadOnlyList<QueuedTestBatch> plan,
        int from,
        int maxBytes = MaxBytes)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var parts = new List<QueuedTestBatch>();
        var (used, position) = (0L, 0);
        int? next = null;
        foreach (var batch in plan)
        {
            if (position + batch.Tests.Count <= from)
            {
                position += batch.Tests.Count;
                continue;
            }

            var taken = new List<string>();
            used += PartBytes;
            for (var i = Math.Max(0, from - position); i < batch.Tests.Count; i++)
            {
                var bytes = AnswerBounds.JsonBytes(batch.Tests[i]) + 1;
                if (used + bytes > maxBytes && (parts.Count > 0 || taken.Count > 0))
                {
                    next = position + i;
                    break;
                }

                used += bytes;
                taken.Add(batch.Tests[i]);
            }

            if (taken.Count > 0)
            {
                parts.Add(new QueuedTestBatch(batch.Index, taken, batch.ExpectedMillis));
            }

            if (next is not null)
            {
                break;
            }

            position += batch.Tests.Count;
        }

        return new QueuePlanPageDto(assembly, plan.Count, plan.Sum(batch => batch.Tests.Count), from, next, parts);
    }
}
