using System.Collections.Immutable;

namespace BatchBuild.Core.Discovery;

/// <summary>A name/value pair a test framework attaches to a test (NUnit categories, MSTest traits, xUnit traits).</summary>
public sealed record TestTrait(string Name, string Value);

/// <summary>One test as the test platform discovered it.</summary>
/// <param name="Source">Path of the test assembly that holds the test.</param>
/// <param name="FullyQualifiedName">The name the test platform selects the test by; NUnit puts parameters in it.</param>
/// <param name="ClassName">The test's class; <see cref="TestName.ClassOf"/> derives it when the platform does not say.</param>
/// <param name="DisplayName">The name shown to people (an MSTest data row has its own).</param>
/// <param name="Traits">Categories and traits.</param>
public sealed record DiscoveredTest(
    string Source,
    string FullyQualifiedName,
    string ClassName,
    string DisplayName,
    ImmutableArray<TestTrait> Traits)
{
    /// <summary>A test known only by its source and fully qualified name, as a name listing gives it.</summary>
    public static DiscoveredTest FromName(string source, string fullyQualifiedName) =>
        new(source, fullyQualifiedName, TestName.ClassOf(fullyQualifiedName), fullyQualifiedName, []);
}

/// <summary>
/// How a test is known in recorded history: by assembly name (not path, which differs between
/// machines and target frameworks) and fully qualified name.
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
/// The unit a test batch is made of: every discovered test of one source with one fully qualified
/// name. The test platform cannot select them apart (MSTest data rows share one name), so they run together.
/// </summary>
public sealed class SelectableTest : IComparable<SelectableTest>
{
    internal SelectableTest(string source, string fullyQualifiedName, string className, ImmutableArray<DiscoveredTest> cases)
    {
        Source = source;
        FullyQualifiedName = fullyQualifiedName;
        ClassName = className;
        Cases = cases;
        Key = TestKey.For(source, fullyQualifiedName);
    }

    /// <summary>Path of the test assembly.</summary>
    public string Source { get; }

    /// <summary>The name that selects this test.</summary>
    public string FullyQualifiedName { get; }

    /// <summary>The class the test belongs to.</summary>
    public string ClassName { get; }

    /// <summary>The discovered tests this name selects (more than one for data rows).</summary>
    public ImmutableArray<DiscoveredTest> Cases { get; }

    /// <summary>The key under which the test's durations are recorded.</summary>
    public TestKey Key { get; }

    /// <summary>
    /// Groups discovered tests into selectable tests: one per source and fully qualified name, in
    /// ordinal order of source then name, so the same discovery always gives the same result.
    /// </summary>
    public static ImmutableArray<SelectableTest> From(IEnumerable<DiscoveredTest> discovered) =>
        [.. discovered
            .GroupBy(test => (test.Source, test.FullyQualifiedName))
            .Select(group => new SelectableTest(
                group.Key.Source,
                group.Key.FullyQualifiedName,
                group.First().ClassName,
                [.. group.DistinctBy(test => test.DisplayName)]))
            .Order()];

    /// <inheritdoc />
    public int CompareTo(SelectableTest? other)
    {
        if (other is null)
        {
            return 1;
        }

        var bySource = string.CompareOrdinal(Source, other.Source);
        return bySource != 0 ? bySource : string.CompareOrdinal(FullyQualifiedName, other.FullyQualifiedName);
    }

    /// <inheritdoc />
    public override string ToString() => FullyQualifiedName;
}
