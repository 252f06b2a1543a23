using System.Collections.Concurrent;
using BatchBuild.Core;
using BatchBuild.Core.Agents;
using BatchBuild.Core.Api;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Discovery;
using Microsoft.Extensions.Options;

namespace BatchBuild.Server;

/// <summary>
/// The agent queues of the batches being run, one per batch and assembly, in memory: they live
/// as long as a run, and a server restarted in the middle of one sends its agents to the static
/// split for what they have not leased. A batch's queues go when no call has touched them for
/// the batch idle timeout, and the oldest go first when more batches than
/// <see cref="MaxBatches"/> hold queues. What they hold is bounded per batch and per server
/// (<see cref="QueueLimits"/>): a registration that would pass a limit is refused.
/// </summary>
internal sealed class AgentQueues(TimeProvider clock, IOptions<ServerOptions> options)
{
    /// <summary>The most batches that hold queues at once.</summary>
    public const int MaxBatches = 10_000;

    private readonly ConcurrentDictionary<string, BatchQueues> _batches = new(StringComparer.Ordinal);

    // Registrations take turns, so that two cannot both pass a limit they pass together.
    private readonly Lock _registering = new();

    /// <summary>How long a lease lasts unless its agent renews it.</summary>
    public TimeSpan LeaseTimeout => options.Value.LeaseTimeout;

    /// <summary>
    /// Registers an agent's plan of an assembly's tests; returns what the queue's plan holds
    /// then, or why the registration would pass the queues' limits (and was not made).
    /// </summary>
    public (QueueSummaryDto? Summary, Diagnostic? Refusal) Register(
        BatchId batch,
        string assembly,
        string agent,
        IReadOnlyList<QueuedTestBatch> plan)
    {
        var now = clock.GetUtcNow();
        lock (_registering)
        {
            if (!_batches.ContainsKey(batch.Value))
            {
                Evict(now);
            }

            var limits = new QueueLimits(
                options.Value.MaxQueuedTestsPerBatch,
                options.Value.MaxQueuedTestBatchesPerBatch,
                options.Value.MaxQueuedTests);
            var queues = _batches.GetOrAdd(batch.Value, _ => new BatchQueues());
            lock (queues.Gate)
            {
                var queue = queues.Existing(assembly);
                var added = queue?.Additions(plan) ?? new AgentQueue(assembly, LeaseTimeout).Additions(plan);
                if (limits.Refusal(batch.Value, queues.Size, Size, added) is { } refusal)
                {
                    return (null, refusal);
                }

                queue = queues.For(assembly, LeaseTimeout);
                var stored = queue.Register(agent, plan, now);
                var size = queue.Size;
                return (
                    new QueueSummaryDto(
                        assembly,
                        (int)size.TestBatches,
                        (int)size.Tests,
                        LeaseTimeout.TotalMilliseconds,
                        QueuePlanFingerprint.Of(stored)),
                    null);
            }
        }
    }

    /// <summary>
    /// The page of an assembly's queue's plan from test <paramref name="from"/>; null when the batch has no queue
    /// for the assembly.
    /// </summary>
    public QueuePlanPageDto? Plan(BatchId batch, string assembly, int from)
    {
        if (!_batches.TryGetValue(batch.Value, out var queues))
        {
            return null;
        }

        lock (queues.Gate)
        {
            return queues.Existing(assembly) is { } queue ? QueuePlanPageDto.Of(assembly, queue.Plan, from) : null;
        }
    }

    // What every queue on the server holds; only registrations, which take turns, add to it.
    private QueueSize Size => _batches.Values.Aggregate(default(QueueSize), (sum, queues) =>
    {
        lock (queues.Gate)
        {
            return sum + queues.Size;
        }
    });

    /// <summary>
    /// The next test batch of an assembly for an agent; <see cref="LeaseReply.Unregistered"/> when the agent has
    /// not registered with that queue.
    /// </summary>
    public LeaseReply Lease(BatchId batch, string assembly, string agent)
    {
        if (!_batches.TryGetValue(batch.Value, out var queues))
        {
            return new LeaseReply.Unregistered();
        }

        lock (queues.Gate)
        {
            return queues.Existing(assembly) is { } queue ? Remember(
                queues,
                queue.Lease(agent, clock.GetUtcNow())) : new LeaseReply.Unregistered();
        }
    }

    /// <summary>Renews an agent's lease; null when it has no running lease by that ID.</summary>
    public Lease? Heartbeat(BatchId batch, string leaseId, string agent) =>
        WithLease(batch, leaseId, queue => queue.Heartbeat(leaseId, agent, clock.GetUtcNow()), null);

    /// <summary>Completes an agent's lease.</summary>
    public CompletionStatus Complete(BatchId batch, string leaseId, string agent) =>
        WithLease(batch, leaseId, queue => queue.Complete(leaseId, agent, clock.GetUtcNow()), CompletionStatus.Unknown);

    /// <summary>
    /// One page of the leases of a batch, by assembly in the order granted, and how many there are; null when the
    /// batch has no queue.
    /// </summary>
    public (IReadOnlyList<Lease> Page, int Total)? Leases(BatchId batch, int page, int pageSize)
    {
        if (!_batches.TryGetValue(batch.Value, out var queues))
        {
            return null;
        }

        lock (queues.Gate)
        {
            var all = queues.All.SelectMany(queue => queue.Leases);
            return (
                [.. all.Skip((int)Math.Min(int.MaxValue, (long)(page - 1) * pageSize)).Take(pageSize)],
                queues.All.Sum(queue => queue.Leases.Count));
        }
    }

    /// <summary>
    /// Opens a batch's queues again for re-run <paramref name="attempt"/>: each holds, as waiting,
    /// the tests of its plan that are not <paramref name="finished"/>, and a queue registered later
    /// leaves them out too (the server may have restarted, or forgotten the batch). Once per
    /// attempt: the attempt's later agents join the queues as they are.
    /// </summary>
    public void Reopen(BatchId batch, int attempt, IReadOnlyCollection<TestKey> finished)
    {
        var now = clock.GetUtcNow();
        if (!_batches.ContainsKey(batch.Value))
        {
            Evict(now);
        }

        var queues = _batches.GetOrAdd(batch.Value, _ => new BatchQueues());
        lock (queues.Gate)
        {
            if (queues.ReopenedFor >= attempt)
            {
                return;
            }

            queues.ReopenedFor = attempt;
            queues.ReopenedAt = now;
            queues.Finished = finished.GroupBy(test => test.Assembly, StringComparer.Ordinal)
                .ToDictionary(
                    group => group.Key,
                    group => group.Select(test => test.FullyQualifiedName).ToList(),
                    StringComparer.Ordinal);
            foreach (var queue in queues.All)
            {
                queue.Reopen(queues.FinishedOf(queue.Assembly), now);
            }
        }
    }

    /// <summary>Forgets a batch's queues: a new batch of its ID starts with new ones.</summary>
    public void Forget(BatchId batch) => _batches.TryRemove(batch.Value, out _);

    private static LeaseReply Remember(BatchQueues queues, LeaseReply reply)
    {
        if (reply is LeaseReply.Granted granted)
        {
            queues.LeaseQueues[granted.Lease.Id] = queues.Existing(granted.Lease.Assembly)!;
        }

        return reply;
    }

    private T WithLease<T>(BatchId batch, string leaseId, Func<AgentQueue, T> action, T unknown)
    {
        if (!_batches.TryGetValue(batch.Value, out var queues))
        {
            return unknown;
        }

        lock (queues.Gate)
        {
            return queues.LeaseQueues.TryGetValue(leaseId, out var queue) ? action(queue) : unknown;
        }
    }

    // Batches idle for longer than the idle timeout go, and the least recently used beyond the limit.
    private void Evict(DateTimeOffset now)
    {
        var idle = options.Value.IdleTimeout;
        var byActivity = _batches.Select(pair => (
            pair.Key,
            Last: pair.Value.LastActivity)).OrderBy(pair => pair.Last).ToList();
        var over = byActivity.Count - MaxBatches + 1;
        foreach (var (key, last) in byActivity)
        {
            if (now - last > idle || over-- > 0)
            {
                _batches.TryRemove(key, out _);
            }
        }
    }

    private sealed class BatchQueues
    {
        private readonly Dictionary<string, AgentQueue> _queues = new(StringComparer.Ordinal);

        /// <summary>What every read and change of the batch's queues holds.</summary>
        public Lock Gate { get; } = new();

        public Dictionary<string, AgentQueue> LeaseQueues { get; } = new(StringComparer.Ordinal);

        // The re-run attempt the queues were last opened again for, and the tests finished then, by assembly.
        public int ReopenedFor { get; set; }

        public DateTimeOffset ReopenedAt { get; set; }

        public Dictionary<string, List<string>> Finished { get; set; } = new(StringComparer.Ordinal);

        public IEnumerable<string> FinishedOf(string assembly) => Finished.GetValueOrDefault(assembly) ?? [];

        public IEnumerable<AgentQueue> All => _queues.Values.OrderBy(queue => queue.Assembly, StringComparer.Ordinal);

        public QueueSize Size => _queues.Values.Aggregate(default(QueueSize), (sum, queue) => sum + queue.Size);

        public DateTimeOffset LastActivity
        {
            get
            {
                lock (Gate)
                {
                    return _queues.Values.Select(queue => queue.LastActivity).Append(ReopenedAt).Max();
                }
            }
        }

        public AgentQueue For(string assembly, TimeSpan leaseTimeout)
        {
            if (!_queues.TryGetValue(assembly, out var queue))
            {
                _queues[assembly] = queue = new AgentQueue(assembly, leaseTimeout);
                if (ReopenedFor > 0)
                {
                    queue.Reopen(FinishedOf(assembly), queue.LastActivity);
                }
            }

            return queue;
        }

        public AgentQueue? Existing(string assembly) => _queues.GetValueOrDefault(assembly);
    }
}
