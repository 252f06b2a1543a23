using BatchBuild.Core.Planning;

namespace BatchBuild.Core.Strategies;

/// <summary>Cuts the next test batch from the front of a queue.</summary>
public interface IBatchingStrategy
{
    /// <summary>The strategy's configuration name, such as <c>fixed-size</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Chooses the tests of the next test batch from a queue that is not empty: the head first,
    /// then other waiting tests of the head's assembly, each at most once. The queue is not changed.
    /// </summary>
    IReadOnlyList<QueuedTest> NextBatch(TestQueue queue);
}
