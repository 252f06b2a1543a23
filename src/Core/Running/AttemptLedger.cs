using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Planning;

namespace BatchBuild.Core.Running;

/// <summary>
/// How failed and uncompleted tests run again, with Marathon's keys: a failed test runs again at
/// most <see cref="RetryPerTestQuota"/> times, all retries of a run together at most
/// <see cref="TotalAllowedRetryQuota"/> times; a test that reported nothing because its test host
/// died runs again at most <see cref="UncompletedTestRetryQuota"/> times, outside the retry quota.
/// </summary>
public sealed record RetryPolicy(int TotalAllowedRetryQuota, int RetryPerTestQuota, int UncompletedTestRetryQuota)
{
    /// <summary>Marathon's <c>no-retry</c>: failed tests are not run again; uncompleted ones once.</summary>
    public static RetryPolicy NoRetry { get; } = new(0, 0, 1);
}

/// <summary>When a test that ran more than once counts as passed.</summary>
public enum ExecutionMode
{
    /// <summary>When any of its runs passed (Marathon's <c>any-success</c>).</summary>
    AnySuccess,

    /// <summary>Only when every run passed (<c>all-success</c>).</summary>
    AllSuccess,
}

/// <summary>What a run's tests came to over all their attempts.</summary>
/// <param name="Passed">Tests that passed, flaky ones included.</param>
/// <param name="Failed">Tests that did not pass.</param>
/// <param name="Skipped">Tests that were skipped on every attempt.</param>
/// <param name="NotRun">Tests that never completed: their test host died every time.</param>
/// <param name="Flaky">Tests that passed but also failed or did not complete.</param>
/// <param name="RunAgain">How many times a test ran again, as a retry or because it did not complete.</param>
public sealed record RunCounts(int Passed, int Failed, int Skipped, int NotRun, int Flaky, int RunAgain);

/// <summary>What a test came to over all its attempts.</summary>
public enum TestVerdict
{
    /// <summary>It passed (under <see cref="ExecutionMode.AnySuccess"/>, on some attempt).</summary>
    Passed,

    /// <summary>It passed, but an earlier or other attempt failed or did not complete.</summary>
    Flaky,

    /// <summary>It did not pass.</summary>
    Failed,

    /// <summary>Every attempt was skipped.</summary>
    Skipped,
}

/// <summary>
/// Keeps every attempt of every test of a run and decides which tests run again, within the
/// quotas of a <see cref="RetryPolicy"/>. Pure: the runner feeds it what each test batch reported
/// and queues what it returns. Not safe for two calls at once.
/// </summary>
public sealed class AttemptLedger(RetryPolicy policy, ExecutionMode mode)
{
    private readonly Dictionary<string, List<TestRunOutcome?>> _attempts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _retries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _uncompletedRetries = new(StringComparer.Ordinal);

    /// <summary>How many retries of failed tests the run has used.</summary>
    public int RetriesUsed { get; private set; }

    /// <summary>
    /// Records one run of <paramref name="batch"/>: each test's worst outcome in
    /// <paramref name="outcomes"/> by ID, a test missing from it as uncompleted. The
    /// <paramref name="suspect"/>, the test that was running when the test host died, counts as
    /// failed for this attempt. Returns the tests to run again, in the test batch's order: failed
    /// ones within the retry quotas (under <see cref="ExecutionMode.AllSuccess"/> none: one failure
    /// settles the verdict), uncompleted ones within the uncompleted quota.
    /// </summary>
    public IReadOnlyList<SelectableTest> Record(TestBatch batch, IReadOnlyDictionary<string, TestRunOutcome> outcomes, string? suspect = null)
    {
        var again = new List<SelectableTest>();
        foreach (var test in batch.Tests)
        {
            TestRunOutcome? outcome = test.Id == suspect ? TestRunOutcome.Failed
                : outcomes.TryGetValue(test.Id, out var reported) ? reported
                : null;
            Attempts(test.Id).Add(outcome);
            if (outcome is null)
            {
                if (_uncompletedRetries.GetValueOrDefault(test.Id) < policy.UncompletedTestRetryQuota)
                {
                    _uncompletedRetries[test.Id] = _uncompletedRetries.GetValueOrDefault(test.Id) + 1;
                    again.Add(test);
                }
            }
            else if (outcome == TestRunOutcome.Failed
                && mode == ExecutionMode.AnySuccess
                && _retries.GetValueOrDefault(test.Id) < policy.RetryPerTestQuota
                && RetriesUsed < policy.TotalAllowedRetryQuota)
            {
                _retries[test.Id] = _retries.GetValueOrDefault(test.Id) + 1;
                RetriesUsed++;
                again.Add(test);
            }
        }

        return again;
    }

    /// <summary>
    /// What the run's <paramref name="tests"/> came to: passed (flaky ones among them), failed,
    /// skipped, never completed, and how many runs again there were.
    /// </summary>
    public RunCounts Count(IEnumerable<SelectableTest> tests)
    {
        int passed = 0, flaky = 0, failed = 0, skipped = 0, notRun = 0;
        foreach (var test in tests)
        {
            var attempts = _attempts.TryGetValue(test.Id, out var recorded) ? recorded : [];
            var verdict = VerdictOf(test.Id);
            if (attempts.All(outcome => outcome is null))
            {
                notRun++;
            }
            else if (verdict == TestVerdict.Failed)
            {
                failed++;
            }
            else if (verdict == TestVerdict.Skipped)
            {
                skipped++;
            }
            else
            {
                passed++;
                flaky += verdict == TestVerdict.Flaky ? 1 : 0;
            }
        }

        return new RunCounts(passed, failed, skipped, notRun, flaky, RetriesUsed + _uncompletedRetries.Values.Sum());
    }

    /// <summary>How many times <paramref name="testId"/> has run, completed or not.</summary>
    public int AttemptsOf(string testId) => _attempts.TryGetValue(testId, out var attempts) ? attempts.Count : 0;

    /// <summary>What <paramref name="testId"/> came to over all its attempts so far.</summary>
    public TestVerdict VerdictOf(string testId)
    {
        var attempts = _attempts.TryGetValue(testId, out var recorded) ? recorded : [];
        var passed = attempts.Any(outcome => outcome == TestRunOutcome.Passed);
        var troubled = attempts.Any(outcome => outcome is null or TestRunOutcome.Failed);
        if (attempts.Count > 0 && attempts.All(outcome => outcome is TestRunOutcome.Skipped or TestRunOutcome.None))
        {
            return TestVerdict.Skipped;
        }

        return mode switch
        {
            ExecutionMode.AllSuccess when troubled || !passed => TestVerdict.Failed,
            ExecutionMode.AllSuccess => TestVerdict.Passed,
            _ when !passed => TestVerdict.Failed,
            _ when troubled => TestVerdict.Flaky,
            _ => TestVerdict.Passed,
        };
    }

    private List<TestRunOutcome?> Attempts(string testId)
    {
        if (!_attempts.TryGetValue(testId, out var attempts))
        {
            _attempts[testId] = attempts = [];
        }

        return attempts;
    }
}
