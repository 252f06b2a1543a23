namespace BatchBuild.Core.Discovery;

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
        return name.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".exe", StringComparison.OrdinalIgnoreCase)
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
