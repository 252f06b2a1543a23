using System.Net;
using System.Text.Json.Serialization.Metadata;
using BatchBuild.Core;
using BatchBuild.Core.Api;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Store;

namespace BatchBuild.Client;

/// <summary>
/// The batch server as the test run's store, over HTTP with the API key and proxy. When the server
/// cannot be reached, results go to the local spool instead and the run goes on; every later call
/// sends the spool first, so nothing recorded is lost. Durations that cannot be read leave the
/// plan to estimates.
/// </summary>
public sealed class ServerResultStore(
    HttpClient http,
    Uri server,
    string? apiKey,
    ResultSpool spool,
    Action<Diagnostic> report) : IResultStore
{
    /// <summary>The attempt timeout of each request.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The first retry delay; later ones double.</summary>
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    private string Where => Http.Redacted(server);

    /// <summary>
    /// Sends the results; when the server cannot take them now they are spooled, a BB5101 warning
    /// is reported, and no batch is returned. Results the server refuses for good go to the
    /// spool's <c>rejected/</c> folder with a warning.
    /// </summary>
    public async Task<IReadOnlyList<BatchInfo>> RecordResultsAsync(
        IReadOnlyCollection<TestResultRecord> results,
        CancellationToken cancellationToken = default)
    {
        var request = new ResultsRequest([.. results.Select(ResultDto.From)]);
        var pass = await SendPendingAsync(cancellationToken).ConfigureAwait(false);
        var sent = pass.Unreachable is { } unreachable
            ? new Sent(null, unreachable, null)
            : await SendAsync(request, cancellationToken).ConfigureAwait(false);
        Strike(pass with { Accepted = pass.Accepted + (sent.Response is null ? 0 : 1) });
        if (sent.Response is { } response)
        {
            return [.. response.Batches.Select(ToInfo)];
        }

        var file = spool.Add(request);
        if (sent.Permanent)
        {
            var kept = spool.Reject(file);
            report(Diagnostic.Warning(DiagnosticCodes.ServerUnreachable,
                $"{Where} refused {results.Count} results ({sent.Problem}); they are kept in '{kept}'"));
        }
        else
        {
            report(Diagnostic.Warning(DiagnosticCodes.ServerUnreachable,
                $"{results.Count} results could not be sent to {Where} ({sent.Problem}); they are spooled in '{file}' "
                + "and sent by the next BatchBuild call that reaches the server"));
        }

        return [];
    }

    /// <summary>
    /// Asks the server to join the re-run to its run's batch; the spool goes first, so that results
    /// of the earlier attempt land before the server decides. Null, with a BB5104 warning, when the
    /// server cannot be reached or refuses.
    /// </summary>
    public async Task<RerunResult?> JoinRerunAsync(
        BatchId id,
        Rerun rerun,
        CancellationToken cancellationToken = default)
    {
        await SendSpoolAsync(cancellationToken).ConfigureAwait(false);
        var (body, problem, _) = await PostAsync(
            ApiRoutes.RerunPath(id),
            RerunRequest.From(rerun),
            ApiJson.Default.RerunRequest,
            ApiJson.Default.RerunResponse,
            cancellationToken).ConfigureAwait(false);
        if (body is not null && Enum.TryParse<RerunStatus>(body.Status, ignoreCase: true, out var status))
        {
            return new RerunResult(status, ToInfo(body.Batch), body.TooOld);
        }

        report(Diagnostic.Warning(
            DiagnosticCodes.RerunNotJoined,
            $"attempt {rerun.Attempt} could not join the batch {id} of the run it re-runs at {Where} ({problem}); its "
            + "results go to that ID as a first run's would: to the open batch, or to a new one after it "
            + $"(e.g. {id}#2)"));
        return null;
    }

    /// <summary>The durations the server has for the tests; none, with a warning, when it cannot be asked.</summary>
    public async Task<IReadOnlyList<TestDuration>> GetDurationsAsync(
        DurationQuery query,
        CancellationToken cancellationToken = default)
    {
        await SendSpoolAsync(cancellationToken).ConfigureAwait(false);
        var (body, problem, _) = await PostAsync(
            ApiRoutes.DurationsPath,
            DurationsRequest.From(query),
            ApiJson.Default.DurationsRequest,
            ApiJson.Default.DurationsResponse,
            cancellationToken).ConfigureAwait(false);
        if (body is not null)
        {
            return [.. body.Durations.Select(duration => duration.ToDuration())];
        }

        report(Diagnostic.Warning(
            DiagnosticCodes.ServerUnreachable,
            $"the recorded durations could not be read from {Where} ({problem}); "
            + "the tests are planned from estimates"));
        return [];
    }

    /// <summary>
    /// Sends what test batches and listings cost beside their tests. They are advice for later
    /// plans, not results: when the server cannot take them they are dropped with a BB5101
    /// warning, never spooled, and the next run records its own.
    /// </summary>
    public async Task RecordStartCostsAsync(
        IReadOnlyCollection<StartCostRecord> costs,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(costs);

        // The server takes a bounded number per request; a run records far fewer, but none is lost to the bound.
        foreach (var chunk in costs.Chunk(StartCostsRequest.MaxCosts))
        {
            var (body, problem, _) = await PostAsync(
                ApiRoutes.StartCostsPath,
                StartCostsRequest.From(chunk),
                ApiJson.Default.StartCostsRequest,
                ApiJson.Default.StartCostsRecorded,
                cancellationToken).ConfigureAwait(false);
            if (body is null)
            {
                report(Diagnostic.Warning(
                    DiagnosticCodes.ServerUnreachable,
                    $"the start costs of {chunk.Length} test batches and listings could not be sent to {Where} "
                    + $"({problem}); they are dropped, and later runs plan from the start costs recorded before"));
            }
        }
    }

    /// <summary>
    /// The start costs the server has for the assemblies; none, with a BB5101 warning, when it cannot
    /// be asked: the plan then estimates the start from this run's discovery or listing.
    /// </summary>
    public async Task<IReadOnlyList<StartCostRecord>> GetStartCostsAsync(
        StartCostQuery query,
        CancellationToken cancellationToken = default)
    {
        var (body, problem, _) = await PostAsync(
            ApiRoutes.StartCostsQueryPath,
            StartCostsQueryRequest.From(query),
            ApiJson.Default.StartCostsQueryRequest,
            ApiJson.Default.StartCostsResponse,
            cancellationToken).ConfigureAwait(false);
        if (body is not null)
        {
            return [.. body.Costs.Select(cost => cost?.ToCost()).OfType<StartCostRecord>()];
        }

        report(Diagnostic.Warning(
            DiagnosticCodes.ServerUnreachable,
            $"the recorded start costs could not be read from {Where} ({problem}); "
            + "the start of a test batch is estimated from this run's discovery or listing"));
        return [];
    }

    /// <summary>
    /// Sends the spooled reports, oldest first. It stops at the first that gets no answer (the
    /// server is away) and returns why; a report the server answers with an error is passed over,
    /// so it never holds back the others, and gets a strike when the server took another report in
    /// the same call. Returns null when the server could be reached.
    /// </summary>
    public async Task<string?> SendSpoolAsync(CancellationToken cancellationToken)
    {
        var pass = await SendPendingAsync(cancellationToken).ConfigureAwait(false);
        Strike(pass);
        return pass.Unreachable;
    }

    // One pass over the spool: how many reports the server took, which it answered with an
    // error, and why it could not be reached when it could not.
    private sealed record SpoolPass(
        int Accepted,
        IReadOnlyList<(string File, string Problem)> PassedOver,
        string? Unreachable);

    private async Task<SpoolPass> SendPendingAsync(CancellationToken cancellationToken)
    {
        var accepted = 0;
        var passedOver = new List<(string File, string Problem)>();
        foreach (var (file, request) in spool.Pending())
        {
            var sent = await SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (sent.Response is not null)
            {
                ResultSpool.Remove(file);
                accepted++;
                report(Diagnostic.Info($"BatchBuild: {request.Results!.Count} spooled results sent to {Where}"));
            }
            else if (sent.Permanent)
            {
                var kept = spool.Reject(file);
                report(Diagnostic.Warning(
                    DiagnosticCodes.ServerUnreachable,
                    $"{Where} refused the spooled results in '{file}' ({sent.Problem}); they are kept in '{kept}'"));
            }
            else if (sent.Status is null)
            {
                return new SpoolPass(accepted, passedOver, sent.Problem);
            }
            else
            {
                passedOver.Add((file, sent.Problem));
            }
        }

        return new SpoolPass(accepted, passedOver, null);
    }

    // Refused while the server took others: those reports, not the server, are the trouble.
    private void Strike(SpoolPass pass)
    {
        foreach (var (file, problem) in pass.Accepted > 0 ? pass.PassedOver : [])
        {
            var (struck, strikes) = spool.Strike(file);
            if (strikes >= ResultSpool.MaxStrikes)
            {
                var kept = spool.Reject(struck);
                report(Diagnostic.Warning(DiagnosticCodes.ServerUnreachable,
                    $"{Where} refused the spooled results in '{file}' {strikes} times while it took others "
                    + $"({problem}); they are kept in '{kept}'"));
            }
        }
    }

    /// <summary>Nothing to release: the HTTP client is the caller's.</summary>
    public void Dispose()
    {
    }

    // How sending one report ended: the answer, or why there is none and the final status when
    // the server gave one.
    private sealed record Sent(ResultsResponse? Response, string Problem, HttpStatusCode? Status)
    {
        // A rejected key may be fixed and the results sent later; a request the server finds
        // invalid will never be taken.
        public bool Permanent =>
            Status is HttpStatusCode.BadRequest
                or HttpStatusCode.RequestEntityTooLarge
                or HttpStatusCode.UnsupportedMediaType;
    }

    private async Task<Sent> SendAsync(ResultsRequest results, CancellationToken cancellationToken)
    {
        var (response, problem, status) = await PostAsync(
            ApiRoutes.ResultsPath,
            results,
            ApiJson.Default.ResultsRequest,
            ApiJson.Default.ResultsResponse,
            cancellationToken).ConfigureAwait(false);
        return new Sent(response, problem, status);
    }

    private Task<(TResponse? Value, string Problem, HttpStatusCode? Status)> PostAsync<TRequest, TResponse>(
        string path,
        TRequest body,
        JsonTypeInfo<TRequest> requestType,
        JsonTypeInfo<TResponse> responseType,
        CancellationToken cancellationToken)
        where TResponse : class =>
        ServerCall.PostAsync(
            http,
            server,
            apiKey,
            path,
            body,
            requestType,
            responseType,
            AttemptTimeout,
            FirstRetryDelay,
            cancellationToken);

    private static BatchInfo ToInfo(BatchDto batch) => new(
        BatchId.Parse(batch.BatchId),
        batch.Sequence,
        Enum.Parse<BatchState>(batch.State, ignoreCase: true),
        batch.StartedAt,
        batch.LastActivityAt,
        batch.ClosedAt,
        batch.Reason is null ? null : Enum.Parse<CloseReason>(batch.Reason, ignoreCase: true),
        batch.Counts,
        batch.NotifyOnCompletion,
        batch.CiAttempt,
        batch.Rerun);
}
