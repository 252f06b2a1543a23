namespace BatchBuild.Core.Batches;

/// <summary>The counts of a completion notification.</summary>
/// <param name="Passed">Tests that passed.</param>
/// <param name="Failed">Tests that failed.</param>
/// <param name="Skipped">Tests that were skipped.</param>
/// <param name="Total">All tests.</param>
/// <param name="TestBatches">Test batches that reported.</param>
/// <param name="Agents">Agents that reported: machines, and agents of one run on one machine apart.</param>
/// <param name="TestMillis">The sum of the tests' durations.</param>
/// <param name="Flaky">Tests that passed after failing: counted as passed too.</param>
/// <param name="Retried">Tests that ran more than once.</param>
public sealed record CompletionCounts(int Passed, int Failed, int Skipped, int Total, int TestBatches, int Agents, double TestMillis, int Flaky = 0, int Retried = 0);
