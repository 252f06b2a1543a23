namespace BatchBuild.Core.Agents;

/// <summary>
/// The queue of one assembly's test batches in one batch, which the agents of a run lease from as
/// they free up. The first agent to register stores the plan; later ones add only tests it lacked,
/// so the queue holds the union of what every agent discovered, each test once. An agent leases the
/// longest waiting test batch whose tests it knows; a test batch whose lease expired goes back in
/// front, and the agent that leases it next takes it over. An agent that finds nothing to lease
/// waits while other leases it could take over run, then finishes. Pure: time comes from the
/// caller. Not safe for two calls at once.
/// </summary>
public sealed class AgentQueue(string assembly, TimeSpan leaseTimeout)
{
    /// <summary>The longest an agent is asked to wait before it asks again.</summary>
    public static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(2);

    private readonly List<QueuedTestBatch> _plan = [];
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _agents = new(StringComparer.Ordinal);
    private readonly List<Waiting> _waiting = [];
    private readonly List<Lease> _order = [];
    private readonly Dictionary<string, int> _positions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, QueuedTestBatch> _running = new(StringComparer.Ordinal);
    private HashSet<string> _finished = new(StringComparer.Ordinal);

    /// <summary>The assembly whose test batches the queue holds.</summary>
    public string Assembly => assembly;

    /// <summary>How long a lease lasts unless renewed.</summary>
    public TimeSpan LeaseTimeout => leaseTimeout;

    /// <summary>The queue's plan: every test batch it has held, in order.</summary>
    public IReadOnlyList<QueuedTestBatch> Plan => _plan;

    /// <summary>How many tests and test batches the plan holds.</summary>
    public QueueSize Size => new(_known.Count, _plan.Count);

    /// <summary>Every lease, in the order they were granted.</summary>
    public IReadOnlyList<Lease> Leases => _order;

    /// <summary>When the queue last saw a call.</summary>
    public DateTimeOffset LastActivity { get; private set; }

    /// <summary>
    /// Registers the tests <paramref name="agent"/> discovered, as its own plan cut them: the test
    /// batches of the first plan registered become the queue's; of a later plan, only the tests
    /// the queue lacks are added, in test batches cut as that plan cut them. Registering again
    /// changes nothing. Returns the queue's plan.
    /// </summary>
    public IReadOnlyList<QueuedTestBatch> Register(
        string agent,
        IReadOnlyList<QueuedTestBatch> plan,
        DateTimeOffset now)
    {
        LastActivity = now;
        if (!_agents.TryGetValue(agent, out var knows))
        {
            _agents[agent] = knows = new HashSet<string>(StringComparer.Ordinal);
        }

        foreach (var batch in plan)
        {
            knows.UnionWith(batch.Tests);
            var added = batch.Tests.Where(_known.Add).Distinct(StringComparer.Ordinal).ToList();
            if (added.Count == 0)
            {
                continue;
            }

            var queued = new QueuedTestBatch(
                _plan.Count + 1,
                added,
                batch.Tests.Count == 0 ? 0 : batch.ExpectedMillis * added.Count / batch.Tests.Count);
            _plan.Add(queued);
            if (Unfinished(queued) is { } waiting)
            {
                _waiting.Add(new Waiting(waiting, null));
            }
        }

        SortWaiting();
        return _plan;
    }

    /// <summary>
    /// How many tests and test batches registering <paramref name="plan"/> would add to the
    /// queue's plan (see <see cref="Register"/>), without registering it.
    /// </summary>
    public QueueSize Additions(IReadOnlyList<QueuedTestBatch> plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var added = new HashSet<string>(StringComparer.Ordinal);
        var (tests, batches) = (0L, 0L);
        foreach (var batch in plan)
        {
            var before = added.Count;
            added.UnionWith(batch.Tests.Where(test => !_known.Contains(test)));
            tests += added.Count - before;
            batches += added.Count > before ? 1 : 0;
        }

        return new QueueSize(tests, batches);
    }

    /// <summary>
    /// The next test batch for <paramref name="agent"/>: the first waiting one whose tests it knows
    /// (returned ones first, then longest first), after expired leases went back to the queue.
    /// </summary>
    public LeaseReply Lease(string agent, DateTimeOffset now)
    {
        LastActivity = now;
        if (!_agents.TryGetValue(agent, out var knows))
        {
            return new LeaseReply.Unregistered();
        }

        Expire(now);
        var index = _waiting.FindIndex(waiting => waiting.Batch.Tests.All(knows.Contains));
        if (index >= 0)
        {
            var (batch, from) = _waiting[index];
            _waiting.RemoveAt(index);
            var lease = new Lease(
                Guid.NewGuid().ToString("N"),
                agent,
                assembly,
                batch.Index,
                batch.Tests.Count,
                batch.ExpectedMillis,
                now,
                now + leaseTimeout,
                null,
                LeaseState.Running,
                from);
            _positions[lease.Id] = _order.Count;
            _order.Add(lease);
            _running[lease.Id] = batch;
            return new LeaseReply.Granted(lease, batch);
        }

        // Leases that may yet expire into something this agent can run keep it waiting, until
        // the earliest of them is due (or LongestWait, to notice completions sooner).
        var due = _running
            .Where(running => running.Value.Tests.All(knows.Contains))
            .Select(running => LeaseOf(running.Key)!.Deadline)
            .DefaultIfEmpty()
            .Min();
        if (due == default)
        {
            return new LeaseReply.Finished();
        }

        var wait = due - now;
        return new LeaseReply.Wait(
            wait < TimeSpan.FromMilliseconds(50) ? TimeSpan.FromMilliseconds(50)
            : wait > LongestWait ? LongestWait
            : wait);
    }

    /// <summary>
    /// Renews the deadline of <paramref name="agent"/>'s running lease; null when it has none by that ID (it expired or
    /// never was).
    /// </summary>
    public Lease? Heartbeat(string leaseId, string agent, DateTimeOffset now)
    {
        LastActivity = now;
        Expire(now);
        if (LeaseOf(leaseId) is not { } lease || lease.Agent != agent || lease.State != LeaseState.Running)
        {
            return null;
        }

        return Replace(lease with { Deadline = now + leaseTimeout });
    }

    /// <summary>
    /// Completes <paramref name="agent"/>'s lease. One that expired counts as completed as long
    /// as no other agent has leased its test batch since (it is taken off the queue); once one
    /// has, its tests ran twice.
    /// </summary>
    public CompletionStatus Complete(string leaseId, string agent, DateTimeOffset now)
    {
        LastActivity = now;
        if (LeaseOf(leaseId) is not { } lease || lease.Agent != agent)
        {
            return CompletionStatus.Unknown;
        }

        switch (lease.State)
        {
            case LeaseState.Running:
                _running.Remove(leaseId);
                Replace(lease with { State = LeaseState.Completed, EndedAt = now });
                return CompletionStatus.Completed;
            case LeaseState.Expired
                when _waiting.FindIndex(waiting => waiting.Batch.Index == lease.TestBatch) is >= 0 and var index:
                _waiting.RemoveAt(index);
                Replace(lease with { State = LeaseState.Completed, EndedAt = now });
                return CompletionStatus.Completed;
            case LeaseState.Completed:
                return CompletionStatus.Completed;
            default:
                return CompletionStatus.Duplicate;
        }
    }

    /// <summary>
    /// Opens the queue again for a re-run of the batch: what waits is, of each test batch of the
    /// plan, the tests not in <paramref name="finished"/> (whose latest result in the batch passed or
    /// was skipped), under the test batch's index; tests registered later are left out when they are
    /// finished too. Running leases end as expired, since their agents' attempt is over. The plan
    /// stays as it was, so that agents that split it statically get the share they had.
    /// </summary>
    public void Reopen(IEnumerable<string> finished, DateTimeOffset now)
    {
        LastActivity = now;
        _finished = new HashSet<string>(finished, StringComparer.Ordinal);
        foreach (var id in _running.Keys)
        {
            Replace(LeaseOf(id)! with { State = LeaseState.Expired, EndedAt = now });
        }

        _running.Clear();
        _waiting.Clear();
        _waiting.AddRange(_plan.Select(Unfinished).OfType<QueuedTestBatch>().Select(batch => new Waiting(batch, null)));
        SortWaiting();
    }

    // The tests of batch that are not finished, as a test batch of its index, or null when all are.
    private QueuedTestBatch? Unfinished(QueuedTestBatch batch)
    {
        if (_finished.Count == 0)
        {
            return batch;
        }

        var left = batch.Tests.Where(test => !_finished.Contains(test)).ToList();
        return left.Count == 0 ? null
            : left.Count == batch.Tests.Count ? batch
            : batch with { Tests = left, ExpectedMillis = batch.ExpectedMillis * left.Count / batch.Tests.Count };
    }

    // Running leases past their deadline expire; their test batches go back in front of the queue.
    private void Expire(DateTimeOffset now)
    {
        var expired = _running.Keys.Select(id => LeaseOf(id)!)
            .Where(lease => lease.Deadline < now)
            .OrderBy(lease => lease.LeasedAt)
            .ToList();
        foreach (var lease in expired)
        {
            _waiting.Add(new Waiting(_running[lease.Id], lease.Agent));
            _running.Remove(lease.Id);
            Replace(lease with { State = LeaseState.Expired, EndedAt = lease.Deadline });
        }

        if (expired.Count > 0)
        {
            SortWaiting();
        }
    }

    private Lease? LeaseOf(string id) => _positions.TryGetValue(id, out var position) ? _order[position] : null;

    private Lease Replace(Lease updated) => _order[_positions[updated.Id]] = updated;

    // Returned test batches first, then the longest; the plan's order breaks ties.
    private void SortWaiting() => _waiting.Sort((a, b) =>
        (a.ReturnedBy is null).CompareTo(b.ReturnedBy is null) is not 0 and var returned ? returned
        : b.Batch.ExpectedMillis.CompareTo(a.Batch.ExpectedMillis) is not 0 and var longer ? longer
        : a.Batch.Index.CompareTo(b.Batch.Index));

    private sealed record Waiting(QueuedTestBatch Batch, string? ReturnedBy);
}
