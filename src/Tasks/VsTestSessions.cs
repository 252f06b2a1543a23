using System.Collections.Concurrent;
using BatchBuild.Core.Discovery;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;

namespace BatchBuild.Tasks;

/// <summary>
/// The design-mode vstest.consoles of one project's run: one per worker that needs one, started
/// when first needed and ended with the run, each used by one worker at a time.
/// </summary>
internal sealed class VsTestSessions(string consolePath) : IDisposable
{
    private readonly ConcurrentBag<VsTestSession> _idle = [];
    private readonly ConcurrentBag<VsTestSession> _all = [];

    /// <summary>Runs <paramref name="work"/> on an idle session, started if there is none, off the caller's thread.</summary>
    public Task<T> UseAsync<T>(Func<VsTestSession, T> work) => Task.Run(() =>
    {
        if (!_idle.TryTake(out var session))
        {
            session = VsTestSession.Start(consolePath);
            _all.Add(session);
        }

        try
        {
            return work(session);
        }
        finally
        {
            _idle.Add(session);
        }
    });

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var session in _all)
        {
            session.Dispose();
        }
    }
}

/// <summary>The tests of one assembly as BatchBuild plans them, and the test cases that run each.</summary>
internal sealed record DiscoveredSuite(IReadOnlyList<DiscoveredTest> Tests, IReadOnlyDictionary<string, IReadOnlyList<TestCase>> ById)
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
            var className = testCase.Properties.FirstOrDefault(property => property.Id == ManagedTypeProperty) is { } managedType
                ? testCase.GetPropertyValue(managedType) as string
                : null;
            tests.Add(new DiscoveredTest(
                source,
                testCase.FullyQualifiedName,
                string.IsNullOrWhiteSpace(className) ? TestName.ClassOf(testCase.FullyQualifiedName) : className,
                testCase.DisplayName,
                [.. testCase.Traits.Select(trait => new TestTrait(trait.Name, trait.Value))],
                id));
        }

        return new DiscoveredSuite(tests, byId.ToDictionary(pair => pair.Key, pair => (IReadOnlyList<TestCase>)pair.Value, StringComparer.Ordinal));
    }
}
