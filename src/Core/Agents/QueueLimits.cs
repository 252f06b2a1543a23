namespace BatchBuild.Core.Agents;

/// <summary>
/// How much the batch server's agent queues may hold, which bounds the memory they take and the
/// plan a registration reads back: per batch (all its assemblies' queues together), tests and
/// test batches; per server, tests. A registration that would pass a limit is refused as a whole,
/// and its agents split the tests statically instead. A registration that adds nothing (an agent
/// registering again) always passes.
/// </summary>
/// <param name="MaxTestsPerBatch">The most tests one batch's queues hold.</param>
/// <param name="MaxTestBatchesPerBatch">The most test batches one batch's queues hold.</param>
/// <param name="MaxTestsPerServer">The most tests all queues on the server hold together.</param>
public sealed record QueueLimits(long MaxTestsPerBatch, long MaxTestBatchesPerBatch, long MaxTestsPerServer)
{
    /// <summary>The default <see cref="MaxTestsPerBatch"/>.</summary>
    public const long DefaultMaxTestsPerBatch = 250_000;

    /// <summary>
    /// The default <see cref="MaxTestBatchesPerBatch"/>: as many as tests, since the <c>isolate</c> strategy runs each
    /// test alone.
    /// </summary>
    public const long DefaultMaxTestBatchesPerBatch = 250_000;

    /// <summary>The default <see cref="MaxTestsPerServer"/>.</summary>
    public const long DefaultMaxTestsPerServer = 1_000_000;

    /// <summary>
    /// Why adding <paramref name="added"/> to a batch's queues that hold <paramref name="batch"/>,
    /// on a server whose queues hold <paramref name="server"/>, passes a limit; null when it does not.
    /// </summary>
    public Diagnostic? Refusal(string batchId, QueueSize batch, QueueSize server, QueueSize added)
    {
        if (added.Tests == 0 && added.TestBatches == 0)
        {
            return null;
        }

        var after = batch + added;
        if (after.Tests > MaxTestsPerBatch || after.TestBatches > MaxTestBatchesPerBatch)
        {
            return Diagnostic.Error(
                DiagnosticCodes.QueueTooLarge,
                $"this registration would bring the queues of batch {batchId} to {after.Tests} tests in "
                + $"{after.TestBatches} test batches; a batch's queues hold at most {MaxTestsPerBatch} tests and "
                + $"{MaxTestBatchesPerBatch} test batches (BatchBuild:MaxQueuedTestsPerBatch, "
                + "BatchBuild:MaxQueuedTestBatchesPerBatch on the server). The agents split the tests statically "
                + "instead; raise the limits, or split the run into several batches");
        }

        if (server.Tests + added.Tests > MaxTestsPerServer)
        {
            return Diagnostic.Error(
                DiagnosticCodes.QueuesFull,
                $"the server's queues hold {server.Tests} tests, and this registration would add {added.Tests}; "
                + $"they hold at most {MaxTestsPerServer} (BatchBuild:MaxQueuedTests on the server). The agents "
                + "split the tests statically instead; queues go when their batch has been idle for the idle "
                + "timeout, or raise the limit");
        }

        return null;
    }
}
