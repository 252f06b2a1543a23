using System.Collections.Immutable;

namespace BatchBuild.Core.Discovery;

/// <summary>A name/value pair a test framework attaches to a test (NUnit categories, MSTest traits, xUnit traits).</summary>
public sealed record TestTrait(string Name, string Value);

/// <summary>One test case as the test platform discovered it.</summary>
/// <param name="Source">Path of the test assembly that holds the test.</param>
/// <param name="FullyQualifiedName">The test's fully qualified name; NUnit puts parameters in it, xUnit and MSTest do not.</param>
/// <param name="ClassName">The test's class; <see cref="TestName.ClassOf"/> derives it when the platform does not say.</param>
/// <param name="DisplayName">The name shown to people (a theory row or data row has its own).</param>
/// <param name="Traits">Categories and traits.</param>
/// <param name="Id">
/// The test platform's ID of the case (<c>TestCase.Id</c>): what a run selects it by. Cases that
/// share one cannot be told apart and run together. A test known only by name has its name as ID.
/// </param>
public sealed record DiscoveredTest(
    string Source,
    string FullyQualifiedName,
    string ClassName,
    string DisplayName,
    ImmutableArray<TestTrait> Traits,
    string? Id = null)
{
    /// <summary>The test platform's ID of the case; its name when none was given.</summary>
    public string Id { get; init; } = Id ?? FullyQualifiedName;

    /// <summary>A test known only by its source and fully qualified name.</summary>
    public static DiscoveredTest FromName(string source, string fullyQualifiedName) =>
        new(source, fullyQualifiedName, TestName.ClassOf(fullyQualifiedName), fullyQualifiedName, []);
}

/// <summary>
/// How a test is known in recorded history: by assembly name (not path, which differs between
/// machines and target frameworks) and name — its fully qualified name, or, when other cases of
/// the assembly share that name (theory rows, data rows), the name with its display name (see
/// <see cref="SelectableTest.From"/>).
/// </summary>
public readonly record struct TestKey(string Assembly, string FullyQualifiedName) : IComparable<TestKey>
{
    /// <summary>The key of a test of the assembly at <paramref name="source"/>.</summary>
    public static TestKey For(string source, string fullyQualifiedName) =>
        new(AssemblyNameOf(source), fullyQualifiedName);

    /// <summary>The assembly name of a source path: its file name without <c>.dll</c>/<c>.exe</c>.</summary>
    public static string AssemblyNameOf(string source)
    {
        var name = source[(source.LastIndexOfAny(['/', '\\']) + 1)..];
        return name.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".exe", StringComparison.OrdinalIgnoreCase)
            ? name[..^4]
            : name;
    }

    /// <inheritdoc />
    public int CompareTo(TestKey other)
    {
        var byAssembly = string.CompareOrdinal(Assembly, other.Assembly);
        return byAssembly != 0 ? byAssembly : string.CompareOrdinal(FullyQualifiedName, other.FullyQualifiedName);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Assembly}:{FullyQualifiedName}";
}

/// <summary>
/// The unit a test batch is made of: the discovered cases of one source with one test platform
/// ID. Cases that share an ID (NUnit cases with the same name) cannot be selected apart, so they
/// run together; cases with their own IDs (theory rows, data rows, parameterized cases) are
/// separate tests.
/// </summary>
public sealed class SelectableTest : IComparable<SelectableTest>
{
    private SelectableTest(string source, string id, DiscoveredTest first, ImmutableArray<DiscoveredTest> cases, TestKey key, TestKey? nameKey)
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
            var units = source.GroupBy(test => test.Id).Select(cases => (Id: cases.Key, Cases: cases.DistinctBy(test => test.DisplayName).ToImmutableArray()));
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
                        tests.Add(new SelectableTest(source.Key, unit.Id, unit.Cases[0], unit.Cases, TestKey.For(source.Key, name), nameKey));
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
