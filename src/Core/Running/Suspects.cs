using BatchBuild.Core.Durations;
using BatchBuild.Core.Planning;

namespace BatchBuild.Core.Running;

/// <summary>
/// The tests of a test batch that were running when its test host crashed or was killed for a
/// time limit: each counts as failed for that run, with a result saying why, so that the store,
/// the reports and the retry ledger see it like any failure. A test host that is killed has
/// reported every test that started; one that crashes may not have (NUnit and xUnit report a
/// start from a thread of their own, which a crash can beat), so a crash is pinned on a test only
/// when it ran alone.
/// </summary>
/// <param name="Results">The run's results, with a failed result for each suspect.</param>
/// <param name="Ids">The suspects' IDs.</param>
/// <param name="Names">The suspects' names, as the build log shows them.</param>
/// <param name="Probable">
/// When a test host running several tests crashed: the names of the tests it had reported as
/// started and not ended. They may not be the test that crashed it, so they are not failed.
/// </param>
public sealed record Suspects(
    IReadOnlyList<TestCaseResult> Results,
    IReadOnlyCollection<string> Ids,
    IReadOnlyCollection<string> Names,
    IReadOnlyCollection<string> Probable)
{
    /// <summary>
    /// The suspects of one run of <paramref name="batch"/> that failed (<paramref name="runFailed"/>):
    /// when a time limit killed its test host (<paramref name="timeLimit"/> names it), the planned
    /// tests among <paramref name="running"/> (the tests that had started and not ended, by ID,
    /// with how long they had run); when its test host crashed, its one test if it had one and
    /// that test did not report; none otherwise.
    /// </summary>
    public static Suspects Of(
        TestBatch batch,
        IReadOnlyList<TestCaseResult> results,
        bool runFailed,
        IReadOnlyDictionary<string, double> running,
        string? timeLimit)
    {
        var reported = results.Select(result => result.TestId).ToHashSet(StringComparer.Ordinal);
        var suspects = !runFailed ? []
            : timeLimit is not null ? batch.Tests.Where(test => running.ContainsKey(test.Id)).ToList()
            : batch.Tests is [var alone] && !reported.Contains(alone.Id) ? [alone]
            : [];
        if (suspects.Count == 0)
        {
            var probable = runFailed
                ? batch.Tests.Where(test => running.ContainsKey(test.Id)).Select(test => test.ToString()).ToList()
                : [];
            return new Suspects(results, [], [], probable);
        }

        var message = timeLimit is null
            ? $"{DiagnosticCodes.TestCrashedHost}: the test host crashed while this test ran"
            : $"{DiagnosticCodes.TestTimedOut}: timed out ({timeLimit}); "
                + "BatchBuild killed the test host while this test ran";
        return new Suspects(
            [
                .. results,
                .. suspects.Select(test => new TestCaseResult(
                    test.Id,
                    test.DisplayName,
                    TestRunOutcome.Failed,
                    running.GetValueOrDefault(test.Id),
                    message)),
            ],
            suspects.Select(test => test.Id).ToHashSet(StringComparer.Ordinal),
            suspects.Select(test => test.ToString()).ToHashSet(StringComparer.Ordinal),
            []);
    }
}
