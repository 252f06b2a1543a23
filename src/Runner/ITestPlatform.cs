using BatchBuild.Core.Discovery;
using BatchBuild.Core.Planning;

namespace BatchBuild.Runner;

/// <summary>
/// The test platform port of a <see cref="ProjectRun"/>: what lists a project's tests and runs one
/// test batch of them in a fresh test host. VSTest runs test batches through vstest.console's
/// translation layer; a Microsoft.Testing.Platform app runs them as runs of itself. What a
/// platform keeps of its runs for itself (VSTest's results for the user's loggers, its attachments)
/// it keeps in its own types, and hands on in <see cref="Finish"/>.
/// </summary>
internal interface ITestPlatform : IDisposable
{
    /// <summary>How the log names what reported on a run ("vstest", "the test app").</summary>
    string Name { get; }

    /// <summary>
    /// The project's tests, found in the worker slot the run holds for it; null when the platform
    /// cannot list them, having said why (the project then runs as it would without BatchBuild, or
    /// fails, as the host decides).
    /// </summary>
    Task<IReadOnlyList<DiscoveredTest>?> DiscoverAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="batch"/> in a fresh test host that sees <paramref name="variables"/> in
    /// its environment.
    /// </summary>
    Task<TestBatchRun> RunAsync(
        TestBatch batch, IReadOnlyList<KeyValuePair<string, string>> variables, CancellationToken cancellationToken);

    /// <summary>
    /// Runs every test of the project, as a plain run does, in a fresh test host that sees
    /// <paramref name="variables"/> (those of a plan's only test batch), before its listing and in
    /// its place (see <see cref="RunAhead"/>). Returns the tests the run reported, which the caller
    /// checks against the last listing, or null when the platform cannot run the project whole this
    /// way. <see cref="RunAsync"/> of the test batch that holds every test, with the same variables,
    /// takes this run and keeps exactly the results of the tests the test batch holds.
    /// </summary>
    Task<IReadOnlyList<DiscoveredTest>?> RunWholeAsync(
        IReadOnlyList<KeyValuePair<string, string>> variables, CancellationToken cancellationToken);

    /// <summary>
    /// After the last test batch: the platform's own reports of the whole run, which took
    /// <paramref name="elapsed"/>.
    /// </summary>
    void Finish(TimeSpan elapsed);
}
