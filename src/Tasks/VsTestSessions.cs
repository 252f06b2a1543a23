using System.Collections.Concurrent;
using BatchBuild.Core.Discovery;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;

namespace BatchBuild.Tasks;

/// <summary>
/// The design-mode vstest.consoles of one project's run: one per worker that needs one, started
/// when first needed and ended with the run, each used by one worker at a time. With a
/// <paramref name="diagnosticLog"/> (<c>--diag</c>), each writes its own log beside it, named
/// after the project and the session's number.
/// </summary>
internal sealed class VsTestSessions(string consolePath, string? diagnosticLog = null, string? project = null) : IDisposable
{
    private int _started;

    private readonly ConcurrentBag<VsTestSession> _idle = [];
    private readonly ConcurrentBag<VsTestSession> _all = [];

    /// <summary>Runs <paramref name="work"/> on an idle session, started if there is none, off the caller's thread.</summary>
    /// <exception cref="TestPlatformException">vstest.console could not be started or failed; that session is not used again.</exception>
    public Task<T> UseAsync<T>(Func<VsTestSession, T> work) => Task.Run(() =>
    {
        VsTestSession? session = null;
        try
        {
            if (!_idle.TryTake(out session))
            {
                session = VsTestSession.Start(consolePath, LogFor(Interlocked.Increment(ref _started)));
                _all.Add(session);
            }

            var result = work(session);
            _idle.Add(session);
            return result;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new TestPlatformException($"vstest.console ({consolePath}) failed in design mode: {e.Message}", e);
        }
    });

    private string? LogFor(int session) =>
        diagnosticLog is null
            ? null
            : Path.Combine(
                Path.GetDirectoryName(Path.GetFullPath(diagnosticLog))!,
                $"{Path.GetFileNameWithoutExtension(diagnosticLog)}.{project}.{session}{(Path.HasExtension(diagnosticLog) ? Path.GetExtension(diagnosticLog) : ".txt")}");

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var session in _all)
        {
            session.Dispose();
        }
    }
}

/// <summary>vstest.console could not be started in design mode, or failed while it worked.</summary>
internal sealed class TestPlatformException(string message, Exception inner) : Exception(message, inner);

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
            tests.Add(new DiscoveredTest(
                source,
                testCase.FullyQualifiedName,
                ClassOf(testCase),
                testCase.DisplayName,
                [.. testCase.Traits.Select(trait => new TestTrait(trait.Name, trait.Value))],
                id));
        }

        return new DiscoveredSuite(tests, byId.ToDictionary(pair => pair.Key, pair => (IReadOnlyList<TestCase>)pair.Value, StringComparer.Ordinal));
    }

    /// <summary>The class of a test case: as its framework names it, else as read from its name.</summary>
    public static string ClassOf(TestCase testCase) =>
        testCase.Properties.FirstOrDefault(property => property.Id == ManagedTypeProperty) is { } managedType
            && testCase.GetPropertyValue(managedType) is string { Length: > 0 } className
            ? className
            : TestName.ClassOf(testCase.FullyQualifiedName);
}
