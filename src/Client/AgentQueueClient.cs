using System.Net;
using System.Text.Json.Serialization.Metadata;
using BatchBuild.Core;
using BatchBuild.Core.Agents;
using BatchBuild.Core.Api;
using BatchBuild.Core.Batches;

namespace BatchBuild.Client;

/// <summary>
/// One agent's calls to the batch server's queue of one assembly's test batches in one batch:
/// register the plan, lease, renew and complete leases.
/// </summary>
public sealed class AgentQueueClient(
    HttpClient http,
    Uri server,
    string? apiKey,
    BatchId batch,
    string assembly,
    string agent)
{
    /// <summary>The attempt timeout of each request.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The first retry delay; later ones double.</summary>
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The agent's name on the server.</summary>
    public string Agent => agent;

    /// <summary>The server, without credentials, for messages.</summary>
    public string Where => Http.Redacted(server);

    /// <summary>
    /// Registers the agent's plan; the answer summarises the queue's plan (<see cref="PlanAsync"/>
    /// reads it). A queue past the server's limits is refused with 413 (BB5016, BB5017): not an
    /// outage, so it is not retried.
    /// </summary>
    public Task<QueueCall<QueueSummaryDto>> RegisterAsync(
        IReadOnlyList<QueuedTestBatchDto> plan,
        CancellationToken cancellationToken) =>
        PostAsync(
            ApiRoutes.QueuePath(batch),
            new QueueRegistration(assembly, agent, plan),
            ApiJson.Default.QueueRegistration,
            ApiJson.Default.QueueSummaryDto,
            cancellationToken);

    /// <summary>
    /// Reads the queue's plan that <paramref name="summary"/> answered a registration with, page
    /// by page: its first <see cref="QueueSummaryDto.Tests"/> tests, since a plan only grows. A
    /// plan that does not match the summary's fingerprint (the server restarted and another
    /// agent registered first) is a problem (BB5018), not a plan.
    /// </summary>
    public async Task<QueueCall<IReadOnlyList<QueuedTestBatch>>> PlanAsync(
        QueueSummaryDto summary,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var plan = new List<QueuedTestBatch>();
        var read = 0;
        while (read < summary.Tests)
        {
            var page = await PostAsync(
                ApiRoutes.QueuePlanPath(batch),
                new QueuePlanRequest(assembly, read),
                ApiJson.Default.QueuePlanRequest,
                ApiJson.Default.QueuePlanPageDto,
                cancellationToken).ConfigureAwait(false);
            if (page.Value is not { } value)
            {
                return new QueueCall<IReadOnlyList<QueuedTestBatch>>(null, page.Problem, page.Status);
            }

            var before = read;
            foreach (var part in value.TestBatches)
            {
                var tests = part.Tests.Take(summary.Tests - read).ToList();
                read += tests.Count;

                // A test batch longer than a page comes in parts with its index on consecutive pages.
                if (plan.Count > 0 && plan[^1].Index == part.Index)
                {
                    plan[^1] = plan[^1] with { Tests = [.. plan[^1].Tests, .. tests] };
                }
                else if (tests.Count > 0)
                {
                    plan.Add(part with { Tests = tests });
                }
            }

            if (value.Next is null || read == before)
            {
                break;
            }
        }

        return read == summary.Tests
            && plan.Count == summary.TestBatches
            && QueuePlanFingerprint.Of(plan) == summary.Fingerprint
            ? new QueueCall<IReadOnlyList<QueuedTestBatch>>(plan, string.Empty, HttpStatusCode.OK)
            : new QueueCall<IReadOnlyList<QueuedTestBatch>>(
                null,
                $"{DiagnosticCodes.QueuePlanChanged}: the queue's plan read from the server ({read} tests in "
                + $"{plan.Count} test batches) is not the one it answered the registration with ({summary.Tests} tests "
                + $"in {summary.TestBatches} test batches, {summary.Fingerprint}); the server may have restarted",
                null);
    }

    /// <summary>Asks for the next test batch.</summary>
    public Task<QueueCall<LeaseResponse>> LeaseAsync(CancellationToken cancellationToken) =>
        PostAsync(
            ApiRoutes.LeasesPath(batch),
            new LeaseRequest(assembly, agent),
            ApiJson.Default.LeaseRequest,
            ApiJson.Default.LeaseResponse,
            cancellationToken);

    /// <summary>Renews a lease.</summary>
    public Task<QueueCall<LeaseResponse>> HeartbeatAsync(string lease, CancellationToken cancellationToken) =>
        PostAsync(
            ApiRoutes.LeaseHeartbeatPath(batch, lease),
            new LeaseAgent(agent),
            ApiJson.Default.LeaseAgent,
            ApiJson.Default.LeaseResponse,
            cancellationToken);

    /// <summary>Completes a lease.</summary>
    public Task<QueueCall<LeaseCompletion>> CompleteAsync(string lease, CancellationToken cancellationToken) =>
        PostAsync(
            ApiRoutes.LeaseCompletePath(batch, lease),
            new LeaseAgent(agent),
            ApiJson.Default.LeaseAgent,
            ApiJson.Default.LeaseCompletion,
            cancellationToken);

    private async Task<QueueCall<TResponse>> PostAsync<TRequest, TResponse>(
        string path,
        TRequest body,
        JsonTypeInfo<TRequest> requestType,
        JsonTypeInfo<TResponse> responseType,
        CancellationToken cancellationToken)
        where TResponse : class
    {
        var (value, problem, status) = await ServerCall.PostAsync(
            http,
            server,
            apiKey,
            path,
            body,
            requestType,
            responseType,
            AttemptTimeout,
            FirstRetryDelay,
            cancellationToken,
            retries: 2).ConfigureAwait(false);
        return new QueueCall<TResponse>(value, problem, status);
    }
}
