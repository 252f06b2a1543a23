using System.Net;
using System.Text.Json.Serialization.Metadata;
using BatchBuild.Core.Api;
using BatchBuild.Core.Batches;

namespace BatchBuild.Client;

/// <summary>What one call to the batch's queue came to: the answer, or why there is none and the status when the server gave one.</summary>
public sealed record QueueCall<T>(T? Value, string Problem, HttpStatusCode? Status)
    where T : class
{
    /// <summary>The server could not be reached, or failed: the agent goes on without the queue.</summary>
    public bool Unreachable => Value is null && (Status is null || Http.IsTransient(Status.Value));

    /// <summary>The server answered 409: the lease is lost, or the agent is not registered (the server restarted).</summary>
    public bool Conflict => Status == HttpStatusCode.Conflict;
}

/// <summary>
/// One agent's calls to the batch server's queue of one assembly's test batches in one batch:
/// register the plan, lease, renew and complete leases.
/// </summary>
public sealed class AgentQueueClient(HttpClient http, Uri server, string? apiKey, BatchId batch, string assembly, string agent)
{
    /// <summary>The attempt timeout of each request.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The first retry delay; later ones double.</summary>
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The agent's name on the server.</summary>
    public string Agent => agent;

    /// <summary>The server, without credentials, for messages.</summary>
    public string Where => CompletionNotifier.Redacted(server);

    private string Batch => $"api/v1/batches/{Uri.EscapeDataString(batch.Value)}";

    /// <summary>Registers the agent's plan; the answer is the queue's plan.</summary>
    public Task<QueueCall<QueuePlanDto>> RegisterAsync(IReadOnlyList<QueuedTestBatchDto> plan, CancellationToken cancellationToken) =>
        PostAsync($"{Batch}/queue", new QueueRegistration(assembly, agent, plan), ApiJson.Default.QueueRegistration, ApiJson.Default.QueuePlanDto, cancellationToken);

    /// <summary>Asks for the next test batch.</summary>
    public Task<QueueCall<LeaseResponse>> LeaseAsync(CancellationToken cancellationToken) =>
        PostAsync($"{Batch}/leases", new LeaseRequest(assembly, agent), ApiJson.Default.LeaseRequest, ApiJson.Default.LeaseResponse, cancellationToken);

    /// <summary>Renews a lease.</summary>
    public Task<QueueCall<LeaseResponse>> HeartbeatAsync(string lease, CancellationToken cancellationToken) =>
        PostAsync($"{Batch}/leases/{Uri.EscapeDataString(lease)}/heartbeat", new LeaseAgent(agent), ApiJson.Default.LeaseAgent, ApiJson.Default.LeaseResponse, cancellationToken);

    /// <summary>Completes a lease.</summary>
    public Task<QueueCall<LeaseCompletion>> CompleteAsync(string lease, CancellationToken cancellationToken) =>
        PostAsync($"{Batch}/leases/{Uri.EscapeDataString(lease)}/complete", new LeaseAgent(agent), ApiJson.Default.LeaseAgent, ApiJson.Default.LeaseCompletion, cancellationToken);

    private async Task<QueueCall<TResponse>> PostAsync<TRequest, TResponse>(
        string path, TRequest body, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
        where TResponse : class
    {
        var (value, problem, status) = await ServerCall.PostAsync(http, server, apiKey, path, body, requestType, responseType, AttemptTimeout, FirstRetryDelay, cancellationToken, retries: 2).ConfigureAwait(false);
        return new QueueCall<TResponse>(value, problem, status);
    }
}
