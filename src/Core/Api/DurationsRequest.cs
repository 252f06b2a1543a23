using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Store;

namespace BatchBuild.Core.Api;

/// <summary>What the planner asks: <c>POST /api/v1/durations</c>.</summary>
public sealed record DurationsRequest(
    IReadOnlyList<TestDto>? Tests,
    double Percentile,
    DateTimeOffset? Since,
    int? RunsPerTest,
    string? ExcludeBatchId = null)
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
        new(
            [.. query.Tests.Select(test => new TestDto(test.Assembly, test.FullyQualifiedName))],
            query.Percentile,
            query.Since,
            query.RunsPerTest,
            query.ExcludeBatchId);

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
                problems.Add(
                    $"tests: tests of {assemblies} assemblies; ask for those of at most {MaxAssemblies} assemblies "
                    + "per request");
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

        HistoryWindow.Check(Since, ExcludeBatchId, problems);

        return problems.Count > 0
            ? (null, problems)
            : (new DurationQuery(
                [.. Tests!.Select(test => new TestKey(StoredText.Clean(test.Assembly!), StoredText.Clean(test.Name!)))],
                Percentile,
                Since,
                RunsPerTest ?? DurationQuery.DefaultRunsPerTest,
                ExcludeBatchId), problems);
    }
}
