using BatchBuild.Core.Planning;

namespace BatchBuild.Core.Strategies;

/// <summary>All waiting tests of the head's class form one test batch.</summary>
public sealed class ClassNameBatchingStrategy : IBatchingStrategy
{
    /// <inheritdoc />
    public string Name => "class-name";

    /// <inheritdoc />
    public IReadOnlyList<QueuedTest> NextBatch(TestQueue queue) => [.. queue.SameClassAsHead()];
}
