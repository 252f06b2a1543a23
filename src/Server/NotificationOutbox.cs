using System.Runtime.CompilerServices;
using BatchBuild.Client;
using BatchBuild.Core;
using BatchBuild.Core.Api;
using BatchBuild.Core.Configuration;
using BatchBuild.Core.Store;
using BatchBuild.Lifecycle;
using BatchBuild.Store;
using Microsoft.Extensions.Options;

namespace BatchBuild.Server;

/// <summary>
/// Sends completion notifications from the database outbox. Each closed batch that notifies is
/// taken up once, with one delivery per webhook; each delivery is tried on its own, with at most
/// <see cref="ServerOptions.WebhookConcurrency"/> tries per webhook on their way at once and each
/// try cut off after <see cref="ServerOptions.WebhookTimeout"/>, so a webhook that hangs or fails
/// holds back no other webhook and no other batch. A failed try waits, longer after each failure
/// of that delivery, and a delivery is given up after <see cref="ServerOptions.WebhookMaxAttempts"/>
/// tries or <see cref="ServerOptions.WebhookMaxAge"/> (BB4004, listed by the API). A webhook that
/// answered 2xx is not sent the same notification again, also after a restart; a try cut short by
/// shutdown is released for the next start, and a claim left by a server that died is taken again
/// after 10 minutes.
/// </summary>
internal sealed class NotificationOutbox(
    INotificationOutbox store,
    OutboxSignal signal,
    IOptions<ServerOptions> options,
    IHttpClientFactory http,
    TimeProvider clock,
    ILogger<NotificationOutbox> log)
        : BackgroundService
{
    public const string HttpClientName = "webhooks";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var webhooks = settings.WebhookUrls
            .Select(text => new Uri(text))
            .DistinctBy(url => url.AbsoluteUri)
            .ToDictionary(url => NotificationTarget.For(url, Http.Redacted(url)));
        var targets = webhooks.Keys.ToList();
        var onTheirWay = targets.ToDictionary(target => target.Key, _ => new StrongBox<int>());
        var notifier = new CompletionNotifier(
            BatchLifecycleSettings.Defaults,
            http.CreateClient(HttpClientName),
            log.Report,
            _ => null);
        var running = new List<Task>();
        await GiveUpUnconfiguredAsync(targets, stoppingToken);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var woken = signal.Next;
                var found = false;
                try
                {
                    var free = onTheirWay.ToDictionary(
                        lane => lane.Key,
                        lane => settings.WebhookConcurrency - Volatile.Read(ref lane.Value.Value));
                    var claim = await store.ClaimDeliveriesAsync(targets, free, stoppingToken);
                    foreach (var completion in claim.TakenUp)
                    {
                        log.Report(Diagnostic.Info(completion.ToLogLine()));
                    }

                    foreach (var delivery in claim.Deliveries)
                    {
                        var target = targets.First(target => target.Key == delivery.TargetKey);
                        Interlocked.Increment(ref onTheirWay[target.Key].Value);
                        running.Add(DeliverAsync(
                            notifier,
                            webhooks[target],
                            target,
                            delivery,
                            onTheirWay[target.Key],
                            stoppingToken));
                    }

                    found = claim.TakenUp.Count + claim.Deliveries.Count > 0;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    log.Report(Diagnostic.Warning(
                        DiagnosticCodes.NotificationFailed,
                        $"the notification outbox could not be read ({e.Message}); it is read again in "
                        + $"{settings.OutboxInterval}"));
                }

                running.RemoveAll(task => task.IsCompleted);

                // After a look that found something, look again at once: more may be due than the
                // look took. Each try that ends wakes the outbox for its webhook's next.
                if (!found)
                {
                    await woken.WaitAsync(
                        settings.OutboxInterval,
                        stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
            }
        }
        finally
        {
            // The tries cut short by the shutdown release their deliveries for the next start.
            await Task.WhenAll(running);
        }
    }

    // Deliveries to a webhook that was configured when their batch closed and is no longer would
    // wait for ever: they are given up, once, as the outbox starts.
    private async Task GiveUpUnconfiguredAsync(
        IReadOnlyCollection<NotificationTarget> targets,
        CancellationToken stoppingToken)
    {
        try
        {
            var given = await store.GiveUpOtherTargetsAsync(
                targets,
                "the webhook is no longer configured (BatchBuild:WebhookUrls)",
                stoppingToken);
            foreach (var (name, count) in given)
            {
                log.Report(Diagnostic.Error(
                    DiagnosticCodes.NotificationGivenUp,
                    $"{count} completion notifications to {name} are given up: the webhook is no longer in "
                    + $"BatchBuild:WebhookUrls. They stay listed in GET {ApiRoutes.Notifications}?state=givenUp and on "
                    + "the dashboard"));
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.Report(Diagnostic.Warning(
                DiagnosticCodes.NotificationFailed,
                $"the deliveries to webhooks no longer configured could not be given up ({e.Message}); the next start "
                + "tries again"));
        }
    }

    // One try of one delivery, recorded whatever happens; a try cut short by the shutdown does
    // not count and is released.
    private async Task DeliverAsync(
        CompletionNotifier notifier,
        Uri url,
        NotificationTarget target,
        NotificationDelivery delivery,
        StrongBox<int> lane,
        CancellationToken stoppingToken)
    {
        var completion = delivery.Completion;
        try
        {
            var outcome = DeliveryOutcome.Released;
            try
            {
                var error = await notifier.PostOnceAsync(url, completion, options.Value.WebhookTimeout, stoppingToken);
                outcome = error is null ? DeliveryOutcome.Delivered : AfterFailure(delivery, error);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Released: the next start tries it again, as if this try had never begun.
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                outcome = AfterFailure(delivery, $"failed: {e.Message}");
            }

            Report(target, delivery, outcome);
            try
            {
                await store.CompleteDeliveryAsync(delivery, outcome, CancellationToken.None);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.Report(Diagnostic.Warning(
                    DiagnosticCodes.DeliveryNotRecorded,
                    $"what became of the completion notification of batch {completion.Name} to {target.Name} "
                    + $"({outcome.State}) could not be recorded ({e.Message}); it is tried again 10 minutes after its "
                    + "claim, so the webhook may get it twice; check the store"));
            }
        }
        finally
        {
            Interlocked.Decrement(ref lane.Value);
            signal.Wake();
        }
    }

    // A failed try waits before the next, doubling per failure of this delivery; it is the last
    // after WebhookMaxAttempts tries, or when the next would come later than WebhookMaxAge after
    // the close.
    private DeliveryOutcome AfterFailure(NotificationDelivery delivery, string error)
    {
        var settings = options.Value;
        var retryAfter = BatchStoreOptions.Backoff(settings.NotificationRetryDelay, delivery.Attempt);
        var age = clock.GetUtcNow() - delivery.Completion.ClosedAt;
        return delivery.Attempt >= settings.WebhookMaxAttempts || age + retryAfter > settings.WebhookMaxAge
            ? DeliveryOutcome.GivenUp(error)
            : DeliveryOutcome.Failed(error, retryAfter);
    }

    private void Report(NotificationTarget target, NotificationDelivery delivery, DeliveryOutcome outcome)
    {
        var settings = options.Value;
        var batch = delivery.Completion;
        var attempt = $"try {delivery.Attempt} of {settings.WebhookMaxAttempts}";
        switch (outcome.State)
        {
            case DeliveryState.Delivered:
                log.Report(Diagnostic.Info($"batch {batch.Name} announced to {target.Name} ({attempt})"));
                break;
            case DeliveryState.GivenUp:
                var why = delivery.Attempt >= settings.WebhookMaxAttempts
                    ? $"after {delivery.Attempt} tries (BatchBuild:WebhookMaxAttempts)"
                    : $"because its next try would come more than {settings.WebhookMaxAge} after the batch closed "
                    + "(BatchBuild:WebhookMaxAge)";
                log.Report(Diagnostic.Error(
                    DiagnosticCodes.NotificationGivenUp,
                    $"the completion notification of batch {batch.Name} to {target.Name} is given up {why}: the "
                    + $"webhook {outcome.Error}. "
                    + $"It stays listed in GET {ApiRoutes.Notifications}?state=givenUp and on the dashboard; fix the "
                    + "receiver or BatchBuild:WebhookUrls"));
                break;
            case DeliveryState.Pending when outcome.Attempted:
                log.Report(Diagnostic.Warning(
                    DiagnosticCodes.NotificationFailed,
                    $"the webhook {target.Name} {outcome.Error} for batch {batch.Name} ({attempt}); it is tried again "
                    + $"in {outcome.RetryAfter}"));
                break;
        }
    }
}
