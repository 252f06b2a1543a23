using BatchBuild.Core.Batches;

namespace BatchBuild.Core.Api;

/// <summary>The counts of a batch on the wire.</summary>
public sealed record CountsDto(int Passed, int Failed, int Skipped, int Total, int TestBatches, int Agents, double TestMillis, int Flaky = 0, int Retried = 0)
{
    /// <summary>The counts as read.</summary>
    public BatchCounts ToCounts() => new(Passed, Failed, Skipped, TestBatches, Agents, TestMillis, Flaky, Retried);
}
