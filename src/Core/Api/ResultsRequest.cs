using BatchBuild.Core.Store;

namespace BatchBuild.Core.Api;

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
