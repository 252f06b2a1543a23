using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;

namespace BatchBuild.Core.Planning;

/// <summary>
/// What test batches cost on the workers at hand: each test batch of an assembly costs its start h
/// and r times its expected test time (<see cref="StartCostEstimate"/>). A plan is predicted by
/// simulating how the runner takes it: each worker, when free, takes the next test batch in plan order.
/// </summary>
public sealed class CostModel
{
    private readonly StartCostEstimate _unknown;

    /// <summary>
    /// A model of <paramref name="workers"/> workers (all agents' together) whose test batches of an
    /// assembly cost what <paramref name="starts"/> says, by assembly name (see
    /// <see cref="TestKey.Assembly"/>); an assembly not named there starts in <paramref name="unknown"/>.
    /// </summary>
    public CostModel(
        IReadOnlyDictionary<string, StartCostEstimate> starts,
        int workers,
        StartCostEstimate? unknown = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(workers);
        Starts = starts;
        Workers = workers;
        _unknown = unknown
            ?? new StartCostEstimate(StartCostEstimator.DefaultStartMillis, 1, StartCostOrigin.Default, 0);
    }

    /// <summary>A model of <paramref name="workers"/> workers that knows no start cost: each is the default.</summary>
    public static CostModel Blind(int workers) => new(new Dictionary<string, StartCostEstimate>(), workers);

    /// <summary>m: the workers that run the plan, on every agent together.</summary>
    public int Workers { get; }

    /// <summary>The start costs the model knows, by assembly name.</summary>
    public IReadOnlyDictionary<string, StartCostEstimate> Starts { get; }

    /// <summary>
    /// The model of <paramref name="assemblies"/> on <paramref name="workers"/> workers, each
    /// assembly estimated from <paramref name="history"/>, else from <paramref name="measuredMillis"/>
    /// (this run's own discovery or listing), else by default (see <see cref="StartCostEstimator"/>).
    /// </summary>
    public static CostModel From(
        IEnumerable<string> assemblies,
        IReadOnlyCollection<StartCostRecord> history,
        double? measuredMillis,
        int workers) =>
        new(
            assemblies.Distinct(StringComparer.Ordinal).ToDictionary(
                assembly => assembly,
                assembly => StartCostEstimator.Estimate(assembly, history, measuredMillis),
                StringComparer.Ordinal),
            workers);

    /// <summary>The start cost of test batches of <paramref name="source"/>, an assembly's path or name.</summary>
    public StartCostEstimate StartOf(string source) =>
        Starts.GetValueOrDefault(TestKey.AssemblyNameOf(source)) ?? _unknown;

    /// <summary>
    /// The forecast of <paramref name="plan"/>, whose tests have the expected durations
    /// <paramref name="estimates"/> (for the longest test of the lower bound).
    /// </summary>
    public PlanForecast Forecast(
        IReadOnlyList<TestBatch> plan,
        IReadOnlyDictionary<TestKey, DurationEstimate> estimates)
    {
        var free = new PriorityQueue<int, (double At, int Worker)>();
        var finish = new double[Workers];
        var last = new double?[Workers];
        for (var worker = 0; worker < Workers; worker++)
        {
            free.Enqueue(worker, (0, worker));
        }

        double tests = 0, starts = 0;
        foreach (var batch in plan)
        {
            var start = StartOf(batch.Source);
            var testMillis = start.TestTimeFactor * batch.ExpectedMillis;
            tests += testMillis;
            starts += start.StartMillis;

            // Of workers free at once, the first takes it, so that a forecast never varies.
            free.TryDequeue(out var next, out var at);
            finish[next] = at.At + start.StartMillis + testMillis;
            last[next] = testMillis;
            free.Enqueue(next, (finish[next], next));
        }

        var longest = estimates.Count == 0
            ? 0
            : estimates.Max(pair => StartOf(pair.Key.Assembly).CostOf(pair.Value.Millis));
        var tails = last.OfType<double>().ToList();
        return new PlanForecast(
            plan.Count,
            tests,
            starts,
            finish.DefaultIfEmpty(0).Max(),
            plan.Count == 0 ? 0 : Math.Max((tests + starts) / Workers, longest),
            tails.Count == 0 ? 0 : tails.Average());
    }
}
