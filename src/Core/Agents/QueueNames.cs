using System.Collections.Immutable;
using BatchBuild.Core.Api;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Planning;
using BatchBuild.Core.Store;

namespace BatchBuild.Core.Agents;

/// <summary>
/// The names an agent's tests go by in a batch's queue, and the queue's test batches as the
/// agent's own. A test goes by its history name as the store keeps it; tests whose names differ
/// only in what the store cannot keep (a NUL, an unpaired surrogate) go by one name and run
/// together in the test batch that holds it, so that none is lost.
/// </summary>
public sealed class QueueNames
{
    private readonly Dictionary<string, ImmutableArray<SelectableTest>> _tests;

    /// <summary>The names of the tests of <paramref name="plan"/>, and the plan as the agent registers it.</summary>
    public QueueNames(IReadOnlyList<TestBatch> plan)
    {
        _tests = plan.SelectMany(batch => batch.Tests)
            .DistinctBy(test => test.Id)
            .GroupBy(NameOf, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.ToImmutableArray(), StringComparer.Ordinal);
        Registration = [.. plan.Select(batch => new QueuedTestBatchDto(
            [.. batch.Tests.Select(NameOf).Distinct(StringComparer.Ordinal)],
            batch.ExpectedMillis))];
    }

    /// <summary>
    /// The plan's test batches, each by the names of its tests: what the agent registers with the queue.
    /// </summary>
    public IReadOnlyList<QueuedTestBatchDto> Registration { get; }

    /// <summary>The name <paramref name="test"/> goes by in the queue.</summary>
    public static string NameOf(SelectableTest test) => StoredText.Clean(test.Key.FullyQualifiedName);

    /// <summary>
    /// The queue's test batch <paramref name="queued"/> as this agent's, of its tests that go by
    /// the queued names (null when there are none), and how many of the names no test of this
    /// agent goes by: another agent discovered them and runs them.
    /// </summary>
    public (TestBatch? Batch, int Unknown) ToTestBatch(QueuedTestBatch queued, string strategy)
    {
        var unknown = queued.Tests.Count(name => !_tests.ContainsKey(name));
        var known = queued.Tests.SelectMany(name => _tests.GetValueOrDefault(name, []))
            .Distinct()
            .Order()
            .ToImmutableArray();
        var batch = known.IsEmpty
            ? null
            : new TestBatch(queued.Index, known[0].Source, known, queued.ExpectedMillis, strategy);
        return (batch, unknown);
    }
}
