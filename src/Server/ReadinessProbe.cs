using System.Diagnostics;
using BatchBuild.Store;
using Microsoft.Extensions.Options;

namespace BatchBuild.Server;

/// <summary>
/// What <c>/ready</c> asks the store: whether a writer gets the write lock within
/// <see cref="ServerOptions.ReadyTimeout"/>. The probe takes the lock and writes nothing, and
/// callers that ask while a probe runs share it, so however often an unauthenticated caller asks,
/// one probe at a time waits at the lock beside the writers.
/// </summary>
internal sealed class ReadinessProbe(SqlBatchStore store, IOptions<ServerOptions> options)
{
    private readonly Lock _gate = new();
    private Task? _running;
    private long _startedAt;

    /// <summary>
    /// The running probe, or a new one; it fails when the lock is not free within the timeout or the store fails.
    /// </summary>
    public Task RunAsync()
    {
        var timeout = options.Value.ReadyTimeout;
        lock (_gate)
        {
            // A probe older than the timeout has answered its callers already; it may still wait
            // in the database driver, which does not always stop at cancellation, and a caller
            // that joined it would learn nothing about the lock now.
            if (_running is not { IsCompleted: false } || Stopwatch.GetElapsedTime(_startedAt) >= timeout)
            {
                _startedAt = Stopwatch.GetTimestamp();
                _running = Task.Run(async () =>
                {
                    // Not a caller's token: the probe belongs to every caller that shares it.
                    using var limit = new CancellationTokenSource(timeout);
                    await store.ProbeWriteLockAsync(limit.Token);
                });
            }

            return _running;
        }
    }
}
