using BatchBuild.Core.Planning;

namespace BatchBuild.Core.Strategies;

/// <summary>Every test is its own test batch: most isolated, slowest.</summary>
public sealed class IsolateBatchingStrategy : IBatchingStrategy
{
    /// <inheritdoc />
    public string Name => "isolate";

    /// <inheritdoc />
    public IReadOnlyList<QueuedTest> NextBatch(TestQueue queue) => [queue.Head];
}
