using System.Net.Http.Headers;
using System.Text;
using BatchBuild.Client;
using BatchBuild.Core;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Configuration;
using BatchBuild.Core.Store;

namespace BatchBuild.Lifecycle;

/// <summary>
/// Announces a closed batch on every configured sink: the build log, the JSON summary file, the
/// webhooks (each retried) and, inside Azure Pipelines, a Markdown summary attached to the run.
/// </summary>
public sealed class CompletionNotifier(
    BatchLifecycleSettings settings,
    HttpClient http,
    Action<Diagnostic> report,
    Func<string, string?> environment)
{
    /// <summary>The attempt timeout of one webhook delivery.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The first retry delay; later ones double.</summary>
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Claims the pending notifications of <paramref name="store"/> and sends each on its own: one
    /// that fails, throws or is cut short never holds back the others. Each is marked delivered
    /// or released for a later try, also when sending stops midway (shutdown), so no claim waits
    /// for the stale-claim timeout.
    /// </summary>
    public async Task DeliverClaimedAsync(IBatchStore store, CancellationToken cancellationToken)
    {
        var claimed = await store.ClaimNotificationsAsync(cancellationToken).ConfigureAwait(false);
        var next = 0;
        try
        {
            for (; next < claimed.Count; next++)
            {
                var completion = claimed[next];
                var delivered = false;
                try
                {
                    delivered = await NotifyAsync(completion, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    report(Diagnostic.Warning(
                        DiagnosticCodes.NotificationFailed,
                        $"the completion notification of batch {completion.Name} failed ({e.Message}); it is sent "
                        + "again later"));
                }

                await store.CompleteNotificationAsync(
                    completion,
                    delivered,
                    CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            foreach (var unsent in claimed.Skip(next))
            {
                await store.CompleteNotificationAsync(
                    unsent,
                    delivered: false,
                    CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Sends <paramref name="completion"/>; true when every sink took it.</summary>
    public async Task<bool> NotifyAsync(BatchCompletion completion, CancellationToken cancellationToken)
    {
        report(Diagnostic.Info(completion.ToLogLine()));
        var ok = true;
        if (!string.IsNullOrWhiteSpace(settings.SummaryPath))
        {
            ok &= WriteFile(settings.SummaryPath, completion.ToJson(), "summary");
        }

        if (string.Equals(environment("TF_BUILD"), "True", StringComparison.OrdinalIgnoreCase))
        {
            var folder = environment("AGENT_TEMPDIRECTORY") is { Length: > 0 } temp ? temp : Path.GetTempPath();
            var markdown = Path.Combine(
                folder,
                $"batchbuild-{BatchId.Parse(completion.BatchId).FileName}-{completion.Sequence}.md");
            if (WriteFile(markdown, completion.ToMarkdown(), "Azure Pipelines summary"))
            {
                report(Diagnostic.Info($"##vso[task.uploadsummary]{markdown}"));
            }
        }

        var deliveries = await Task.WhenAll(settings.WebhookUrls.Select(url => PostAsync(
            url,
            completion,
            cancellationToken))).ConfigureAwait(false);
        return ok && deliveries.All(delivered => delivered);
    }

    private bool WriteFile(string path, string text, string what)
    {
        try
        {
            var full = Path.GetFullPath(path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, text);
            return true;
        }
        catch (Exception e) when (e is IOException
            or UnauthorizedAccessException
            or ArgumentException
            or NotSupportedException)
        {
            report(Diagnostic.Warning(
                DiagnosticCodes.NotificationFailed,
                $"the {what} file '{path}' cannot be written ({e.Message}); fix BatchBuildSummaryPath"));
            return false;
        }
    }

    private async Task<bool> PostAsync(Uri url, BatchCompletion completion, CancellationToken cancellationToken)
    {
        var pipeline = Http.RetryPipeline(AttemptTimeout, firstDelay: FirstRetryDelay);
        var json = completion.ToJson();
        var target = Http.Redacted(url);
        try
        {
            using var response = await pipeline.ExecuteAsync(async token =>
            {
                using var request = Request(url, json);
                return await http.SendAsync(request, token).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                report(Diagnostic.Info($"BatchBuild: batch {completion.Name} announced to {target}"));
                return true;
            }

            report(Diagnostic.Warning(
                DiagnosticCodes.NotificationFailed,
                $"the webhook {target} answered {(int)response.StatusCode} {response.ReasonPhrase} for batch "
                + $"{completion.Name}; check the URL and the receiver"));
        }
        catch (Exception e) when (e is HttpRequestException or Polly.Timeout.TimeoutRejectedException)
        {
            report(Diagnostic.Warning(
                DiagnosticCodes.NotificationFailed,
                $"the webhook {target} could not be reached for batch {completion.Name} ({e.Message}); check the URL, "
                + "the network or BatchBuildProxy"));
        }

        return false;
    }

    /// <summary>
    /// Posts <paramref name="completion"/> to <paramref name="url"/> once, waiting at most
    /// <paramref name="timeout"/> for the answer: null when the webhook took it (2xx), else why
    /// not, fit for the log. Retrying is the caller's (the batch server's outbox backs off per
    /// target); <paramref name="cancellationToken"/> cuts the try short with an
    /// <see cref="OperationCanceledException"/>.
    /// </summary>
    public async Task<string?> PostOnceAsync(
        Uri url,
        BatchCompletion completion,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(timeout);
        try
        {
            using var request = Request(url, completion.ToJson());
            using var response = await http.SendAsync(request, attempt.Token).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? null : $"answered {(int)response.StatusCode} {response.ReasonPhrase}";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"no answer within {timeout}";
        }
        catch (HttpRequestException e)
        {
            return $"could not be reached: {e.Message}";
        }
    }

    private static HttpRequestMessage Request(Uri url, string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Add("X-BatchBuild-Event", "batch-completed");
        return request;
    }
}
