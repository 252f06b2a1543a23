namespace BatchBuild.Core.Discovery;

/// <summary>Reads the file vstest.console writes with <c>--ListFullyQualifiedTests --ListTestsTargetPath</c>.</summary>
public static class TestListing
{
    /// <summary>One test per non-empty line, in the order listed, each line once.</summary>
    public static IReadOnlyList<DiscoveredTest> Parse(string source, IEnumerable<string> lines) =>
        [.. lines
            .Select(line => line.TrimEnd('\r'))
            .Where(line => line.Trim().Length > 0)
            .Distinct(StringComparer.Ordinal)
            .Select(name => DiscoveredTest.FromName(source, name))];
}
