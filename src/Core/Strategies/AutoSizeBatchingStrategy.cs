using BatchBuild.Core.Planning;

namespace BatchBuild.Core.Strategies;

/// <summary>
/// The <c>fixed-size</c> strategy with <c>Size=auto</c>: each test batch takes tests from the front
/// of the queue of its assembly until it holds about the expected time its assembly's
/// <see cref="AutoSizeRule"/> aims at (a test is taken when that brings the batch nearer the aim;
/// its first test always); when fewer than <c>lastMileLength</c> tests remain, each test batch holds
/// one test. One instance cuts one plan: it counts the work left of each assembly as it cuts.
/// </summary>
public sealed class AutoSizeBatchingStrategy : IBatchingStrategy
{
    private readonly Func<string, AutoSizeRule> _ruleOf;
    private readonly int _lastMileLength;
    private readonly Dictionary<string, (double Left, int Cut)> _sources = new(StringComparer.Ordinal);

    /// <summary>Creates the strategy with each source's rule.</summary>
    public AutoSizeBatchingStrategy(Func<string, AutoSizeRule> ruleOf, int lastMileLength = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lastMileLength);
        _ruleOf = ruleOf;
        _lastMileLength = lastMileLength;
    }

    /// <inheritdoc />
    public string Name => "fixed-size";

    /// <inheritdoc />
    public IReadOnlyList<QueuedTest> NextBatch(TestQueue queue)
    {
        var source = queue.Head.Test.Source;
        if (!_sources.TryGetValue(source, out var state))
        {
            state = (queue.SameSourceAsHead().Sum(test => test.Expected.Millis), 0);
        }

        var taken = new List<QueuedTest>();
        if (queue.Count < _lastMileLength)
        {
            taken.Add(queue.Head);
        }
        else
        {
            var rule = _ruleOf(source);
            var divisor = rule.Batches is { } batches ? Math.Max(1, batches - state.Cut) : rule.Divisor;
            var aim = Math.Max(state.Left / divisor, rule.FloorMillis);

            // What would be left is too little to be worth a start of its own: it comes along.
            if (state.Left - aim < rule.FloorMillis / 2)
            {
                aim = state.Left;
            }

            aim = Math.Min(aim, rule.CapMillis);

            // Sums of thousands of durations differ in their last bits: without slack, a test of
            // next to no time could be left over for a test batch, and a start, of its own.
            var slack = 1e-9 * Math.Max(1, state.Left);
            var expected = 0.0;
            foreach (var test in queue.SameSourceAsHead())
            {
                var cost = test.Expected.Millis;
                if (taken.Count > 0
                    && (expected + cost / 2 > aim + slack || expected + cost > rule.CapMillis + slack))
                {
                    break;
                }

                taken.Add(test);
                expected += cost;
            }
        }

        _sources[source] = (state.Left - taken.Sum(test => test.Expected.Millis), state.Cut + 1);
        return taken;
    }
}
