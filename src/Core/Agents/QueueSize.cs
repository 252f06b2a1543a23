namespace BatchBuild.Core.Agents;

/// <summary>How much agent queues hold: their tests and test batches.</summary>
/// <param name="Tests">The tests, each once per queue.</param>
/// <param name="TestBatches">The test batches.</param>
public readonly record struct QueueSize(long Tests, long TestBatches)
{
    /// <summary>Both counts added.</summary>
    public static QueueSize operator +(QueueSize left, QueueSize right) =>
        new(left.Tests + right.Tests, left.TestBatches + right.TestBatches);

    /// <summary>Both counts added.</summary>
    public static QueueSize Add(QueueSize left, QueueSize right) => left + right;
}
