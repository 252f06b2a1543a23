using System.Collections.Immutable;
using BatchBuild.Client;
using BatchBuild.Core;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Configuration;
using BatchBuild.Core.Store;
using Microsoft.Extensions.Options;

namespace BatchBuild.Server;

/// <summary>Wakes the notification outbox when a batch may have closed.</summary>
public sealed class OutboxSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    /// <summary>Asks the outbox to look now.</summary>
    public void Wake()
    {
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already woken.
            }
        }
    }

    /// <summary>Waits for <see cref="Wake"/> or <paramref name="timeout"/>.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}

/// <summary>
/// Closes idle and old batches. Its state is the database's (every active batch's times), so a
/// restart loses nothing: the first sweep after it closes whatever expired while it was down.
/// </summary>
internal sealed class BatchSweeper(IBatchStore store, OutboxSignal outbox, IOptions<ServerOptions> options, ILogger<BatchSweeper> log) : BackgroundService
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
                    log.Report(Diagnostic.Info($"batch {batch.Name} closed ({batch.Reason?.ToString().ToLowerInvariant()})"));
                }

                if (closed.Count > 0)
                {
                    outbox.Wake();
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.Report(Diagnostic.Warning(DiagnosticCodes.StoreUnavailable, $"the sweep for idle and old batches failed ({e.Message}); it runs again in {options.Value.SweepInterval}"));
            }

            await Task.Delay(options.Value.SweepInterval, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}

/// <summary>
/// Sends completion notifications from the database outbox: every closed batch that notifies and
/// was not yet notified. A notification is claimed in the database, posted to every webhook (each
/// retried with back-off), then marked delivered, once; a failed one is released to wait, longer
/// after each failure, and a claim left by a server that stopped is taken again later. Nothing is
/// lost across restarts, and a webhook may see a notification more than once, never none.
/// </summary>
internal sealed class NotificationOutbox(
    IBatchStore store, OutboxSignal signal, IOptions<ServerOptions> options, IHttpClientFactory http, ILogger<NotificationOutbox> log) : BackgroundService
{
    public const string HttpClientName = "webhooks";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = BatchLifecycleSettings.Defaults with
        {
            WebhookUrls = [.. options.Value.WebhookUrls.Select(url => new Uri(url))],
        };
        var notifier = new CompletionNotifier(settings, http.CreateClient(HttpClientName), log.Report, _ => null);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await notifier.DeliverClaimedAsync(store, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.Report(Diagnostic.Warning(DiagnosticCodes.NotificationFailed, $"the notification outbox could not be read ({e.Message}); it is read again in {options.Value.OutboxInterval}"));
            }

            await signal.WaitAsync(options.Value.OutboxInterval, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}
