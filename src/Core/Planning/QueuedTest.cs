using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;

namespace BatchBuild.Core.Planning;

/// <summary>A test waiting in a <see cref="TestQueue"/> with its expected duration.</summary>
public sealed class QueuedTest
{
    internal QueuedTest(SelectableTest test, DurationEstimate expected)
    {
        Test = test;
        Expected = expected;
    }

    /// <summary>The test.</summary>
    public SelectableTest Test { get; }

    /// <summary>How long the test is expected to take.</summary>
    public DurationEstimate Expected { get; }

    internal LinkedListNode<QueuedTest>? InQueue { get; set; }

    internal LinkedListNode<QueuedTest>? InSource { get; set; }

    internal LinkedListNode<QueuedTest>? InClass { get; set; }

    /// <inheritdoc />
    public override string ToString() => $"{Test} ({Expected.Millis:0} ms)";
}
