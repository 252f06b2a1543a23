using BatchBuild.Core.Planning;

namespace BatchBuild.Runner;

/// <summary>The test batches of a plan known up front: this agent's share, or all of them.</summary>
internal sealed class PlannedWork(IEnumerable<TestBatch> plan, WorkerSlots workers) : ITestBatchSource
{
    private readonly TestBatchWork _work = new(plan);

    public async Task<Taken?> NextAsync(CancellationToken cancellationToken)
    {
        while (await _work.PeekAsync(cancellationToken).ConfigureAwait(false) is { } next)
        {
            var slot = await workers.AcquireAsync(next.ExpectedMillis, cancellationToken).ConfigureAwait(false);
            if (_work.TryTake() is { } taken)
            {
                return new Taken(taken, slot, Fresh: false);
            }

            slot.Dispose();
        }

        return null;
    }

    public Task DoneAsync(Taken taken, IReadOnlyList<TestBatch> again)
    {
        _work.Done(again);
        return Task.CompletedTask;
    }
}
