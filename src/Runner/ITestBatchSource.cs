using BatchBuild.Core.Planning;

namespace BatchBuild.Runner;

/// <summary>Where a project's workers take their test batches from.</summary>
internal interface ITestBatchSource
{
    /// <summary>The next test batch, with a worker slot held for it; null when the work is done.</summary>
    Task<Taken?> NextAsync(CancellationToken cancellationToken);

    /// <summary>Ends a taken test batch; <paramref name="again"/> runs again, in front.</summary>
    Task DoneAsync(Taken taken, IReadOnlyList<TestBatch> again);
}
