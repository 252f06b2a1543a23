namespace BatchBuild.Core.Api;

/// <summary>
/// Asks for one page of a queue's plan: <c>POST /api/v1/batches/{id}/queue/plan</c>. A POST, so
/// that an assembly name of any valid length fits (a URL's request line is limited).
/// </summary>
/// <param name="Assembly">The assembly whose queue to read.</param>
/// <param name="From">The position of the first test to read, counting every test of the plan in order from 0: 0, then
/// the last page's <c>next</c>.</param>
public sealed record QueuePlanRequest(string? Assembly, int From)
{
    /// <summary>Every problem found, each naming its field.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        Names.Check(Assembly, "assembly", problems);
        if (From < 0)
        {
            problems.Add("from: 0 or more, the position of the first test to read (0, then the last page's next)");
        }

        return problems;
    }
}
