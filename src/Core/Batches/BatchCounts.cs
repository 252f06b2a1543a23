namespace BatchBuild.Core.Batches;

/// <summary>What a batch holds, frozen when it closes.</summary>
/// <param name="Passed">Tests that passed.</param>
/// <param name="Failed">Tests that failed.</param>
/// <param name="Skipped">Tests that were skipped or reported no outcome.</param>
/// <param name="TestBatches">Test batches that reported results.</param>
/// <param name="Agents">Machines that reported results.</param>
/// <param name="TestMillis">The sum of the tests' durations.</param>
/// <param name="Flaky">Tests whose latest result passed after a result of theirs failed.</param>
/// <param name="Retried">Tests with more than one result: they ran again.</param>
public sealed record BatchCounts(int Passed, int Failed, int Skipped, int TestBatches, int Agents, double TestMillis, int Flaky = 0, int Retried = 0)
{
    /// <summary>A batch with no results.</summary>
    public static BatchCounts Empty { get; } = new(0, 0, 0, 0, 0, 0);

    /// <summary>All tests.</summary>
    public int Total => Passed + Failed + Skipped;
}
