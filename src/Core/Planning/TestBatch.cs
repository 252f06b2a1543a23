using System.Collections.Immutable;
using BatchBuild.Core.Discovery;

namespace BatchBuild.Core.Planning;

/// <summary>
/// A group of tests of one assembly, without duplicates and sorted by name, that one command runs
/// in one fresh test host.
/// </summary>
/// <param name="Index">The test batch's 1-based position in the order batches were made.</param>
/// <param name="Source">The assembly all its tests belong to.</param>
/// <param name="Tests">The tests, in ordinal order of name.</param>
/// <param name="ExpectedMillis">The sum of the tests' expected durations.</param>
/// <param name="Strategy">The name of the strategy that cut it.</param>
public sealed record TestBatch(
    int Index,
    string Source,
    ImmutableArray<SelectableTest> Tests,
    double ExpectedMillis,
    string Strategy)
{
    /// <summary>The test batch's name within a batch: <c>{batchId}:{index}</c>.</summary>
    public string NameIn(BatchBuild.Core.Batches.BatchId batchId) => $"{batchId}:{Index}";
}
