using BatchBuild.Client;
using BatchBuild.Core;
using BatchBuild.Core.Agents;
using BatchBuild.Core.Api;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Planning;

namespace BatchBuild.Runner;

/// <summary>
/// Test batches leased from the batch server's queue for the project's assembly. Tests that run
/// again go in front and stay under the lease of the test batch they came from, which is
/// completed when they have all run; a heartbeat renews every lease held. When the server cannot
/// be reached, the agent falls back to its static share of the queue's plan, less what it leased
/// (a BB5102 warning): test batches another agent had leased may then run twice.
/// </summary>
internal sealed class LeasedWork : ITestBatchSource, IAsyncDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    private readonly AgentQueueClient _queue;
    private readonly WorkerSlots _workers;
    private readonly AgentSlot _slot;
    private readonly QueueNames _names;
    private readonly Action<Diagnostic> _report;
    private readonly LinkedList<(TestBatch Batch, LeaseHold Hold)> _again = new();
    private readonly List<LeaseHold> _held = [];
    private readonly HashSet<int> _leased = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _heartbeat;
    private readonly TimeSpan _heartbeatInterval;
    private TestBatchWork? _fallback;
    private bool _serverDone;
    private int _running;

    private LeasedWork(
        AgentQueueClient queue,
        WorkerSlots workers,
        AgentSlot slot,
        IReadOnlyList<TestBatch> plan,
        QueueNames names,
        TimeSpan heartbeatInterval,
        Action<Diagnostic> report)
    {
        (_queue, _workers, _slot, Plan) = (queue, workers, slot, plan);
        (_names, _heartbeatInterval, _report) = (names, heartbeatInterval, report);
        _heartbeat = Task.Run(HeartbeatAsync);
    }

    /// <summary>The queue's plan as this agent's test batches: all of them, whichever agent runs each.</summary>
    public IReadOnlyList<TestBatch> Plan { get; }

    /// <summary>
    /// How many test batches this agent leased, and how many of them it took over from an agent
    /// whose lease expired.
    /// </summary>
    public (int Leased, int TakenOver) Counts { get; private set; }

    /// <summary>
    /// Registers the agent's plan with the queue and returns the work, or, when the server cannot
    /// be reached, null and why.
    /// </summary>
    public static async Task<(LeasedWork? Work, IReadOnlyList<TestBatch>? StoredPlan, string? Problem)> RegisterAsync(
        AgentQueueClient queue,
        WorkerSlots workers,
        AgentSlot slot,
        IReadOnlyList<TestBatch> plan,
        bool leases,
        Action<Diagnostic> report,
        CancellationToken cancellationToken)
    {
        var names = new QueueNames(plan);
        var registered = await queue.RegisterAsync(names.Registration, cancellationToken).ConfigureAwait(false);
        if (registered.Value is not { } summary)
        {
            return (null, null, registered.Problem);
        }

        // The answer counts the queue's plan; the plan itself comes page by page.
        var read = await queue.PlanAsync(summary, cancellationToken).ConfigureAwait(false);
        if (read.Value is not { } stored)
        {
            return (null, null, read.Problem);
        }

        var strategy = plan.Count > 0 ? plan[0].Strategy : "queue";
        var mapped = ToTestBatches(stored, names, strategy, report);
        var heartbeatInterval = TimeSpan.FromMilliseconds(summary.LeaseMillis / 3);
        var work = leases
            ? new LeasedWork(queue, workers, slot, mapped, names, heartbeatInterval, report)
            : null;
        return (work, mapped, null);
    }

    public async Task<Taken?> NextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Fallback is { } fallback)
            {
                if (await fallback.PeekAsync(cancellationToken).ConfigureAwait(false) is not { } next)
                {
                    return null;
                }

                var fallbackSlot = await _workers.AcquireAsync(next.ExpectedMillis, cancellationToken)
                    .ConfigureAwait(false);
                if (fallback.TryTake() is { } taken)
                {
                    return new Taken(taken, fallbackSlot, Fresh: true);
                }

                fallbackSlot.Dispose();
                continue;
            }

            // Once the queue has nothing more for this agent, only tests that run again from its
            // own leases are left: no worker slot is taken just to find that out.
            bool waitForRetries;
            lock (_again)
            {
                waitForRetries = _serverDone && _again.Count == 0;
                if (waitForRetries && _running == 0)
                {
                    return null;
                }
            }

            if (waitForRetries)
            {
                await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var slot = await _workers.AcquireAsync(Hint, cancellationToken).ConfigureAwait(false);
            lock (_again)
            {
                if (_again.First is { } first)
                {
                    _again.RemoveFirst();
                    _running++;
                    return new Taken(first.Value.Batch, slot, Fresh: false, first.Value.Hold);
                }
            }

            var (leased, wait) = _serverDone
                ? (null, TimeSpan.Zero)
                : await LeaseAsync(slot, cancellationToken).ConfigureAwait(false);
            if (leased is not null)
            {
                return leased;
            }

            slot.Dispose();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async Task DoneAsync(Taken taken, IReadOnlyList<TestBatch> again)
    {
        if (taken.Hold is not { } hold)
        {
            _fallback!.Done(again);
            return;
        }

        bool complete;
        lock (_again)
        {
            _running--;
            if (_fallback is { } fallback)
            {
                fallback.Add(again);
            }
            else
            {
                for (var i = again.Count - 1; i >= 0; i--)
                {
                    _again.AddFirst((again[i], hold));
                }

                hold.Open += again.Count;
            }

            complete = --hold.Open == 0;
            if (complete)
            {
                _held.Remove(hold);
            }
        }

        if (complete && Fallback is null && !hold.Lost)
        {
            var completed = await _queue.CompleteAsync(hold.Id, CancellationToken.None).ConfigureAwait(false);
            if (completed.Value?.Status == CompletionStatus.Duplicate || completed.Conflict)
            {
                Duplicate(hold);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _heartbeat.ConfigureAwait(false);
        _stop.Dispose();
    }

    private TestBatchWork? Fallback
    {
        get
        {
            lock (_again)
            {
                return _fallback;
            }
        }
    }

    // The longest test batch of the plan this agent has not leased: its worker slot's place in line.
    private double Hint
    {
        get
        {
            lock (_again)
            {
                return Plan
                    .Where(batch => !_leased.Contains(batch.Index))
                    .Select(batch => batch.ExpectedMillis)
                    .DefaultIfEmpty(0)
                    .Max();
            }
        }
    }

    // A lease held with the worker slot, or none and how long to wait before asking again.
    private async Task<(Taken? Taken, TimeSpan Wait)> LeaseAsync(IDisposable slot, CancellationToken cancellationToken)
    {
        var reply = await _queue.LeaseAsync(cancellationToken).ConfigureAwait(false);
        if (reply.Conflict)
        {
            // The server restarted and forgot the queue: register again, and ask once more.
            var registered = await _queue.RegisterAsync(_names.Registration, cancellationToken).ConfigureAwait(false);
            reply = registered.Value is null
                ? new QueueCall<LeaseResponse>(null, registered.Problem, registered.Status)
                : await _queue.LeaseAsync(cancellationToken).ConfigureAwait(false);
        }

        switch (reply.Value)
        {
            case { Status: LeaseResponse.Leased, Lease: { } lease, TestBatch: { } queued }:
                var batch = ToTestBatches([queued], _names, StrategyOf, _report).Single();
                var hold = new LeaseHold(lease.Id, queued.Index);
                lock (_again)
                {
                    _held.Add(hold);
                    _leased.Add(queued.Index);
                    _running++;
                    Counts = (Counts.Leased + 1, Counts.TakenOver + (lease.TakenOverFrom is null ? 0 : 1));
                }

                if (lease.TakenOverFrom is { } from)
                {
                    _report(Diagnostic.Warning(
                        DiagnosticCodes.DuplicateRun,
                        $"{SourceOf}: agent {_queue.Agent} takes over test batch {queued.Index} from agent {from}, "
                        + "whose lease expired; if that agent is still running it, its tests run twice"));
                }

                return (new Taken(batch, slot, Fresh: true, hold), TimeSpan.Zero);
            case { Status: LeaseResponse.Waiting } wait:
                return (null, TimeSpan.FromMilliseconds(Math.Clamp(wait.RetryAfterMillis ?? 1000, 20, 5000)));
            case { Status: LeaseResponse.Done }:
                lock (_again)
                {
                    _serverDone = true;
                }

                return (null, TimeSpan.Zero);
            default:
                FallBack(reply.Problem);
                return (null, TimeSpan.Zero);
        }
    }

    // Renews every lease held, every third of the lease timeout; a lease found lost is reported,
    // and a server that cannot be reached sends the agent to its static share.
    private async Task HeartbeatAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(_heartbeatInterval, _stop.Token).ConfigureAwait(false);
                LeaseHold[] held;
                lock (_again)
                {
                    held = _fallback is null ? [.. _held.Where(hold => !hold.Lost)] : [];
                }

                foreach (var hold in held)
                {
                    var renewed = await _queue.HeartbeatAsync(hold.Id, _stop.Token).ConfigureAwait(false);
                    if (renewed.Conflict)
                    {
                        hold.Lost = true;
                        Duplicate(hold);
                    }
                    else if (renewed.Unreachable)
                    {
                        FallBack(renewed.Problem);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void FallBack(string problem)
    {
        lock (_again)
        {
            if (_fallback is not null)
            {
                return;
            }

            var share = AgentSplit.ShareOf(Plan, _slot).Where(batch => !_leased.Contains(batch.Index)).ToList();
            _fallback = new TestBatchWork(share);
            _fallback.Add([.. _again.Select(pending => pending.Batch)]);
            _again.Clear();
            _report(Diagnostic.Warning(
                DiagnosticCodes.QueueFallback,
                $"{SourceOf}: the batch queue at {_queue.Where} cannot be reached ({problem}); "
                + $"agent {_slot.Index} of {_slot.Count} runs its static share of the test batches it has not leased: "
                + $"{share.Count} test batches, {share.Sum(batch => batch.Tests.Length)} tests. "
                + "Test batches another agent leased before may run twice (BB5103)"));
        }
    }

    private void Duplicate(LeaseHold hold) =>
        _report(Diagnostic.Warning(
            DiagnosticCodes.DuplicateRun,
            $"{SourceOf}: agent {_queue.Agent}'s lease of test batch {hold.Index} expired before it ended, "
            + "and another agent took it over: its tests ran twice"));

    private string SourceOf => Plan.Count > 0 ? TestKey.AssemblyNameOf(Plan[0].Source) : string.Empty;

    private string StrategyOf => Plan.Count > 0 ? Plan[0].Strategy : "queue";

    // The queue's test batches as this agent's: tests it did not discover are left out, with a warning.
    private static List<TestBatch> ToTestBatches(
        IEnumerable<QueuedTestBatch> queued,
        QueueNames names,
        string strategy,
        Action<Diagnostic> report)
    {
        var batches = new List<TestBatch>();
        foreach (var one in queued)
        {
            var (batch, unknown) = names.ToTestBatch(one, strategy);
            if (unknown > 0)
            {
                report(Diagnostic.Warning(
                    DiagnosticCodes.UnplannedTest,
                    $"test batch {one.Index} of the queue holds {unknown} tests this agent did not discover; "
                    + "another agent runs them"));
            }

            if (batch is not null)
            {
                batches.Add(batch);
            }
        }

        return batches;
    }
}
