using BatchBuild.Core.Running;

namespace BatchBuild.Runner;

/// <summary>What a test platform reported on one run of a test batch.</summary>
/// <param name="Results">Every test result, in the order reported.</param>
/// <param name="Failed">
/// Whether the run itself failed: its test host crashed, was killed, or the run was aborted.
/// </param>
/// <param name="Running">
/// The tests that had started but not reported when the run ended, by ID, with how long they had run.
/// </param>
/// <param name="TimedOut">The time limit that killed the test host, or null.</param>
/// <param name="Log">What the platform said: warnings, errors and the test host's error output.</param>
/// <param name="FirstTestMillis">
/// How long the run took to its first test, when the platform knows: from the test batch's launch
/// to the first test's start or result (Microsoft.Testing.Platform), or to its first result (VSTest).
/// </param>
/// <param name="FirstResultDurationMillis">
/// How long the test of the first result took by its own account, when the platform knows: the
/// part of <paramref name="FirstTestMillis"/> that was that test's and not the run's start.
/// </param>
/// <param name="AheadMillis">
/// How long the run took, for a run made before its test batch was planned
/// (<see cref="ITestPlatform.RunWholeAsync"/>); else 0.
/// </param>
internal sealed record TestBatchRun(
    IReadOnlyList<TestCaseResult> Results,
    bool Failed,
    IReadOnlyDictionary<string, double> Running,
    TimeLimitKind? TimedOut,
    string Log,
    double? FirstTestMillis = null,
    double? FirstResultDurationMillis = null,
    double AheadMillis = 0);
