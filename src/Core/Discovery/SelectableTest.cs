using System.Collections.Immutable;

namespace BatchBuild.Core.Discovery;

/// <summary>
/// The unit a test batch is made of: the discovered cases of one source with one test platform
/// ID. Cases that share an ID (NUnit cases with the same name) cannot be selected apart, so they
/// run together; cases with their own IDs (theory rows, data rows, parameterized cases) are
/// separate tests.
/// </summary>
public sealed class SelectableTest : IComparable<SelectableTest>
{
    private SelectableTest(
        string source,
        string id,
        DiscoveredTest first,
        ImmutableArray<DiscoveredTest> cases,
        TestKey key,
        TestKey? nameKey)
    {
        Source = source;
        Id = id;
        FullyQualifiedName = first.FullyQualifiedName;
        DisplayName = first.DisplayName;
        ClassName = first.ClassName;
        Cases = cases;
        Key = key;
        NameKey = nameKey;
    }

    /// <summary>Path of the test assembly.</summary>
    public string Source { get; }

    /// <summary>The test platform's ID: what a run selects the test by.</summary>
    public string Id { get; }

    /// <summary>The test's fully qualified name.</summary>
    public string FullyQualifiedName { get; }

    /// <summary>The test's display name.</summary>
    public string DisplayName { get; }

    /// <summary>The class the test belongs to.</summary>
    public string ClassName { get; }

    /// <summary>The discovered cases with this ID (more than one only when cases share a name).</summary>
    public ImmutableArray<DiscoveredTest> Cases { get; }

    /// <summary>The key under which the test's durations are recorded.</summary>
    public TestKey Key { get; }

    /// <summary>
    /// When other tests share this one's fully qualified name, the key by that name alone: how
    /// they were recorded together before each row had its own key. Their durations carry over
    /// from it, shared out, until the test has its own.
    /// </summary>
    public TestKey? NameKey { get; }

    /// <summary>The keys to ask history for: <see cref="Key"/>, and <see cref="NameKey"/> when there is one.</summary>
    public IEnumerable<TestKey> HistoryKeys => NameKey is { } nameKey ? [Key, nameKey] : [Key];

    /// <summary>
    /// Groups discovered cases into tests: one per source and ID, in ordinal order of source then
    /// key, so the same discovery always gives the same result. A test's key is its fully
    /// qualified name when no other test of its assembly has that name; else the name followed by
    /// its display name in brackets, <c>Ns.C.M [M(x: 1)]</c>, and, when that is shared too, its
    /// ordinal among those in order of ID, <c>Ns.C.M [M(x: 1)] #2</c>.
    /// </summary>
    public static ImmutableArray<SelectableTest> From(IEnumerable<DiscoveredTest> discovered)
    {
        var tests = new List<SelectableTest>();
        foreach (var source in discovered.GroupBy(test => test.Source))
        {
            var units = source.GroupBy(test => test.Id)
                .Select(cases => (Id: cases.Key, Cases: cases.DistinctBy(test => test.DisplayName).ToImmutableArray()));
            foreach (var sameName in units.GroupBy(unit => unit.Cases[0].FullyQualifiedName))
            {
                var nameKey = TestKey.For(source.Key, sameName.Key);
                if (sameName.Count() == 1)
                {
                    var only = sameName.Single();
                    tests.Add(new SelectableTest(source.Key, only.Id, only.Cases[0], only.Cases, nameKey, null));
                    continue;
                }

                foreach (var sameDisplay in sameName.GroupBy(unit => unit.Cases[0].DisplayName))
                {
                    var ordinal = 0;
                    var shared = sameDisplay.Count() > 1;
                    foreach (var unit in sameDisplay.OrderBy(unit => unit.Id, StringComparer.Ordinal))
                    {
                        var name = $"{sameName.Key} [{sameDisplay.Key}]" + (shared ? $" #{++ordinal}" : string.Empty);
                        tests.Add(new SelectableTest(
                            source.Key,
                            unit.Id,
                            unit.Cases[0],
                            unit.Cases,
                            TestKey.For(source.Key, name),
                            nameKey));
                    }
                }
            }
        }

        return [.. tests.Order()];
    }

    /// <inheritdoc />
    public int CompareTo(SelectableTest? other)
    {
        if (other is null)
        {
            return 1;
        }

        var bySource = string.CompareOrdinal(Source, other.Source);
        return bySource != 0 ? bySource : string.CompareOrdinal(Key.FullyQualifiedName, other.Key.FullyQualifiedName);
    }

    /// <inheritdoc />
    public override string ToString() => Key.FullyQualifiedName;
}
