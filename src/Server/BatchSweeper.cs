using BatchBuild.Core;
using BatchBuild.Core.Store;
using Microsoft.Extensions.Options;

namespace BatchBuild.Server;

/// <summary>
/// Closes idle and old batches. Its state is the database's (every active batch's times), so a
/// restart loses nothing: the first sweep after it closes whatever expired while it was down.
/// </summary>
internal sealed class BatchSweeper(
    IBatchStore store,
    OutboxSignal outbox,
    IOptions<ServerOptions> options,
    ILogger<BatchSweeper> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var closed = await store.CloseExpiredAsync(stoppingToken);
                foreach (var batch in closed)
                {
                    log.Report(
                        Diagnostic.Info($"batch {batch.Name} closed ({batch.Reason?.ToString().ToLowerInvariant()})"));
                }

                if (closed.Count > 0)
                {
                    outbox.Wake();
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.Report(Diagnostic.Warning(
                    DiagnosticCodes.StoreUnavailable,
                    $"the sweep for idle and old batches failed ({e.Message}); it runs again in "
                    + $"{options.Value.SweepInterval}"));
            }

            await Task.Delay(
                options.Value.SweepInterval,
                stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}
