using System.Net.Http.Json;
using BatchBuild.Client;
using BatchBuild.Core;
using BatchBuild.Core.Api;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Configuration;
using BatchBuild.Store;

namespace BatchBuild.Lifecycle;

/// <summary>
/// Closes batches where the settings say — the embedded store, or a server — and, for the
/// embedded store, sends the completion notifications this process claimed: the batches it closed
/// and any closed batch whose notification is still pending.
/// </summary>
public sealed class BatchCloser(
    BatchLifecycleSettings settings,
    string storePath,
    HttpClient http,
    Action<Diagnostic> report,
    Func<string, string?> environment)
{
    /// <summary>The attempt timeout of each HTTP request.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The first retry delay of each HTTP request; later ones double.</summary>
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Close tokens by batch ID, from a close request written to disk: on a server they close
    /// those IDs when <see cref="BatchLifecycleSettings.ApiKey"/> is not set.
    /// </summary>
    public IReadOnlyDictionary<string, string> CloseTokens { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Called with the counts of each batch closed (or found closed), when set: in the embedded
    /// store from the close itself, on a server by reading the batch after the close, which takes
    /// the API key.
    /// </summary>
    public Action<BatchId, BatchCounts>? Counted { get; init; }

    /// <summary>Closes <paramref name="ids"/>; true when every one was closed or had been closed already.</summary>
    public async Task<bool> CloseAsync(IReadOnlyCollection<BatchId> ids, CancellationToken cancellationToken) =>
        settings.ServerUrl is { } server
            ? await CloseOnServerAsync(server, ids, cancellationToken).ConfigureAwait(false)
            : await CloseInStoreAsync(ids, cancellationToken).ConfigureAwait(false);

    private async Task<bool> CloseOnServerAsync(
        Uri server,
        IReadOnlyCollection<BatchId> ids,
        CancellationToken cancellationToken)
    {
        // Results spooled while the server was away belong in the batch before it closes. Sending
        // them takes the API key: a close token cannot, so with a token alone the batch stays open
        // rather than close without them.
        var where = $"on {Http.Redacted(server)}";
        var spool = ResultStores.SpoolFor(storePath);
        if (string.IsNullOrEmpty(settings.ApiKey) && CloseTokens.Count > 0)
        {
            if (spool.Pending().Any())
            {
                foreach (var id in ids)
                {
                    report(Diagnostic.Warning(DiagnosticCodes.CloseFailed,
                        $"batch {id} stays open {where}: results spooled in '{spool.Folder}' have not reached the "
                        + "server, and sending them needs the API key, which is never written to disk; set "
                        + "BATCHBUILD_API_KEY in the environment of dotnet test, or close later with the "
                        + "BatchBuildCloseBatch target and BatchBuildApiKey"));
                }

                return false;
            }
        }
        else
        {
            await new ServerResultStore(http, server, settings.ApiKey, spool, report)
            {
                AttemptTimeout = AttemptTimeout,
                FirstRetryDelay = FirstRetryDelay,
            }
                .SendSpoolAsync(cancellationToken).ConfigureAwait(false);
        }

        var closer = new ServerBatchCloser(
            http,
            server,
            settings.ApiKey,
            AttemptTimeout,
            FirstRetryDelay)
        { CloseTokens = CloseTokens };
        var ok = true;
        foreach (var result in await closer.CloseAsync(ids, cancellationToken).ConfigureAwait(false))
        {
            var (success, text) = result.Status switch
            {
                ServerCloseStatus.Closed => (true, $"BatchBuild: batch {result.Id} closed {where}"),
                ServerCloseStatus.Unknown => (
                    false,
                    $"batch {result.Id} is not known {where} ({result.Detail}); check the batch ID and "
                    + "BatchBuildServerUrl"),
                ServerCloseStatus.Rejected when string.IsNullOrEmpty(settings.ApiKey)
                    && !CloseTokens.ContainsKey(result.Id.Value) =>
                    (
                        false,
                        $"the server {where} refused to close batch {result.Id} without the API key ({result.Detail}): "
                        + "no close token was issued for it (see BB5014) and BATCHBUILD_API_KEY is not in the "
                        + "environment; set it, or close with the BatchBuildCloseBatch target and BatchBuildApiKey"),
                ServerCloseStatus.Rejected when string.IsNullOrEmpty(settings.ApiKey) =>
                    (
                        false,
                        $"the server {where} refused the close token for batch {result.Id} ({result.Detail}): it has "
                        + "expired, or another server issued it; set BATCHBUILD_API_KEY in the environment, or close "
                        + "with the BatchBuildCloseBatch target and BatchBuildApiKey"),
                ServerCloseStatus.Rejected => (
                    false,
                    $"the server {where} refused the API key for batch {result.Id} ({result.Detail}); check "
                    + "BatchBuildApiKey"),
                _ => (
                    false,
                    $"batch {result.Id} could not be closed {where} ({result.Detail}); check BatchBuildServerUrl, the "
                    + "network or BatchBuildProxy"),
            };
            report(success ? Diagnostic.Info(text) : Diagnostic.Warning(DiagnosticCodes.CloseFailed, text));
            ok &= success;
            if (success && Counted is not null)
            {
                ok &= await CountOnServerAsync(server, result.Id, where, cancellationToken).ConfigureAwait(false);
            }
        }

        return ok;
    }

    // The closed batch as the server's API reads it: GET /api/v1/batches/{id}, its latest.
    private async Task<bool> CountOnServerAsync(
        Uri server,
        BatchId id,
        string where,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(settings.ApiKey))
        {
            report(Diagnostic.Warning(
                DiagnosticCodes.CloseFailed,
                $"the counts of batch {id} cannot be read {where} without the API key; set BatchBuildApiKey"));
            return false;
        }

        try
        {
            using var request = new HttpRequestMessage(
                HttpMethod.Get,
                new Uri($"{server.AbsoluteUri.TrimEnd('/')}/{ApiRoutes.BatchPath(id)}"));
            request.Headers.Add(Http.ApiKeyHeader, settings.ApiKey);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(AttemptTimeout);
            using var response = await http.SendAsync(request, timeout.Token).ConfigureAwait(false);
            var batch = response.IsSuccessStatusCode
                ? await response.Content.ReadFromJsonAsync(
                    ApiJson.Default.BatchDto,
                    timeout.Token).ConfigureAwait(false)
                : null;
            if (batch?.Counts is not { } c)
            {
                report(Diagnostic.Warning(
                    DiagnosticCodes.CloseFailed,
                    $"the counts of batch {id} could not be read {where} ({(int)response.StatusCode} "
                    + $"{response.ReasonPhrase})"));
                return false;
            }

            Counted!(id, c);
            return true;
        }
        catch (Exception e) when (e is HttpRequestException
            or System.Text.Json.JsonException
            or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            report(Diagnostic.Warning(
                DiagnosticCodes.CloseFailed,
                $"the counts of batch {id} could not be read {where} ({e.Message})"));
            return false;
        }
    }

    private async Task<bool> CloseInStoreAsync(IReadOnlyCollection<BatchId> ids, CancellationToken cancellationToken)
    {
        using var store = SqliteBatchStore.Open(storePath, BatchStoreOptions.For(settings), report: report);
        var ok = true;
        foreach (var id in ids.Distinct())
        {
            var result = await store.CloseBatchAsync(id, cancellationToken).ConfigureAwait(false);
            switch (result.Status)
            {
                case CloseStatus.Closed:
                    report(Diagnostic.Info($"BatchBuild: batch {result.Batch!.Name} closed"));
                    Counted?.Invoke(id, result.Batch.Counts);
                    break;
                case CloseStatus.AlreadyClosed:
                    report(
                        Diagnostic.Info(
                            $"BatchBuild: batch {result.Batch!.Name} was already closed "
                            + $"({result.Batch.Reason?.ToString().ToLowerInvariant()}, {result.Batch.ClosedAt:u})"));
                    Counted?.Invoke(id, result.Batch.Counts);
                    break;
                default:
                    report(Diagnostic.Warning(
                        DiagnosticCodes.CloseFailed,
                        $"no batch {id} in the store '{storePath}': no test reported with this ID; check the batch ID "
                        + "and BatchBuildStore"));
                    ok = false;
                    break;
            }
        }

        await new CompletionNotifier(settings, http, report, environment)
        {
            AttemptTimeout = AttemptTimeout,
            FirstRetryDelay = FirstRetryDelay,
        }
            .DeliverClaimedAsync(store, cancellationToken).ConfigureAwait(false);

        return ok;
    }
}
