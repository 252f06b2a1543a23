using BatchBuild.Core.Discovery;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;

namespace BatchBuild.Tasks;

/// <summary>The tests of one assembly as BatchBuild plans them, and the test cases that run each.</summary>
internal sealed record DiscoveredSuite(
    IReadOnlyList<DiscoveredTest> Tests,
    IReadOnlyDictionary<string, IReadOnlyList<TestCase>> ById)
{
    // Frameworks that say so name the test's class in this property; for the others it is read from the name.
    private const string ManagedTypeProperty = "TestCase.ManagedType";

    public static DiscoveredSuite From(string source, IEnumerable<TestCase> testCases)
    {
        var tests = new List<DiscoveredTest>();
        var byId = new Dictionary<string, List<TestCase>>(StringComparer.Ordinal);
        foreach (var testCase in testCases)
        {
            var id = testCase.Id.ToString();
            if (!byId.TryGetValue(id, out var cases))
            {
                byId[id] = cases = [];
            }

            cases.Add(testCase);
            tests.Add(new DiscoveredTest(
                source,
                testCase.FullyQualifiedName,
                ClassOf(testCase),
                testCase.DisplayName,
                [.. testCase.Traits.Select(trait => new TestTrait(trait.Name, trait.Value))],
                id));
        }

        return new DiscoveredSuite(
            tests,
            byId.ToDictionary(pair => pair.Key, pair => (IReadOnlyList<TestCase>)pair.Value, StringComparer.Ordinal));
    }

    /// <summary>The class of a test case: as its framework names it, else as read from its name.</summary>
    public static string ClassOf(TestCase testCase) =>
        testCase.Properties.FirstOrDefault(property => property.Id == ManagedTypeProperty) is { } managedType
            && testCase.GetPropertyValue(managedType) is string { Length: > 0 } className
            ? className
            : TestName.ClassOf(testCase.FullyQualifiedName);
}
