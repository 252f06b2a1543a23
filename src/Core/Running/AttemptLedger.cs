using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Planning;

namespace BatchBuild.Core.Running;

/// <summary>
/// Keeps every attempt of every test of a run and decides which tests run again, within the
/// quotas of a <see cref="RetryPolicy"/>. A test may be planned more than once (the flakiness
/// strategy): a failed run is retried only when no planned run of the test is pending and none
/// passed. With <paramref name="fast"/>, a test's pending runs are dropped once its verdict can no
/// longer change (<see cref="Drop"/>). Pure: the runner feeds it what each test batch reported
/// and queues what it returns. Not safe for two calls at once.
/// </summary>
public sealed class AttemptLedger(RetryPolicy policy, ExecutionMode mode, bool fast = false)
{
    private readonly Dictionary<string, List<TestRunOutcome?>> _attempts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _retries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _uncompletedRetries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _pending = new(StringComparer.Ordinal);

    /// <summary>How many retries of failed tests the run has used.</summary>
    public int RetriesUsed { get; private set; }

    /// <summary>How many planned runs were dropped because their test's verdict was settled.</summary>
    public int Dropped { get; private set; }

    /// <summary>
    /// Registers the planned test batches: each test's runs in them are pending until recorded or dropped.
    /// </summary>
    public void Plan(IEnumerable<TestBatch> plan)
    {
        foreach (var test in plan.SelectMany(batch => batch.Tests))
        {
            _pending[test.Id] = _pending.GetValueOrDefault(test.Id) + 1;
        }
    }

    /// <summary>
    /// <paramref name="batch"/> without the tests whose verdict is settled (fast execution only:
    /// under any-success a test that passed, under all-success one that failed), or null when
    /// none is left; the dropped runs are no longer pending.
    /// </summary>
    public TestBatch? Drop(TestBatch batch)
    {
        if (!fast)
        {
            return batch;
        }

        var settled = batch.Tests.Where(test => Settled(test.Id)).ToList();
        foreach (var test in settled)
        {
            _pending[test.Id] = _pending.GetValueOrDefault(test.Id) - 1;
            Dropped++;
        }

        return settled.Count == 0 ? batch
            : settled.Count == batch.Tests.Length ? null
            : batch with { Tests = [.. batch.Tests.Except(settled)] };
    }

    /// <summary>
    /// Records one run of <paramref name="batch"/>: each test's worst outcome in
    /// <paramref name="outcomes"/> by ID, a test missing from it as uncompleted. The
    /// <paramref name="suspects"/>, the tests that were running when the test host died or was
    /// killed (<paramref name="timedOut"/>), must be reported failed. Returns what runs again, in
    /// the test batch's order: each suspect alone within the uncompleted quota; the other
    /// uncompleted tests within the same quota, together after a time limit (the running test was
    /// known) and each alone after a crash (it may not have been); each failed test alone within
    /// the retry quotas (under <see cref="ExecutionMode.AllSuccess"/> none: one failure settles
    /// the verdict).
    /// </summary>
    public IReadOnlyList<RunAgain> Record(
        TestBatch batch,
        IReadOnlyDictionary<string, TestRunOutcome> outcomes,
        IReadOnlyCollection<string>? suspects = null,
        bool timedOut = false)
    {
        var again = new List<RunAgain>();
        var uncompleted = new List<SelectableTest>();
        foreach (var test in batch.Tests)
        {
            TestRunOutcome? outcome = outcomes.TryGetValue(test.Id, out var reported) ? reported : null;
            Attempts(test.Id).Add(outcome);
            _pending[test.Id] = Math.Max(0, _pending.GetValueOrDefault(test.Id) - 1);
            var suspect = suspects?.Contains(test.Id) == true;
            if (outcome is null || suspect)
            {
                if (_uncompletedRetries.GetValueOrDefault(test.Id) < policy.UncompletedTestRetryQuota
                    && !Settled(test.Id))
                {
                    _uncompletedRetries[test.Id] = _uncompletedRetries.GetValueOrDefault(test.Id) + 1;
                    if (suspect)
                    {
                        again.Add(new RunAgain(
                            [test],
                            timedOut ? RunAgainReason.TimedOut : RunAgainReason.Crashed,
                            RunsAgainOf(test.Id),
                            batch));
                    }
                    else
                    {
                        uncompleted.Add(test);
                    }
                }
            }
            else if (outcome == TestRunOutcome.Failed
                && mode == ExecutionMode.AnySuccess
                && _pending.GetValueOrDefault(test.Id) == 0
                && VerdictOf(test.Id) == TestVerdict.Failed
                && _retries.GetValueOrDefault(test.Id) < policy.RetryPerTestQuota
                && RetriesUsed < policy.TotalAllowedRetryQuota)
            {
                _retries[test.Id] = _retries.GetValueOrDefault(test.Id) + 1;
                RetriesUsed++;
                again.Add(new RunAgain([test], RunAgainReason.Failed, RunsAgainOf(test.Id), batch));
            }
        }

        // After a time limit, the test that was running is known: the others run again together.
        // After a crash it may not be: each runs again alone, so the one that crashes its host
        // again is known by then.
        if (uncompleted.Count > 0 && timedOut)
        {
            again.Add(new RunAgain(
                [.. uncompleted],
                RunAgainReason.Uncompleted,
                uncompleted.Max(test => RunsAgainOf(test.Id)),
                batch));
        }
        else
        {
            again.AddRange(uncompleted.Select(test => new RunAgain(
                [test],
                RunAgainReason.Uncompleted,
                RunsAgainOf(test.Id),
                batch)));
        }

        foreach (var test in again.SelectMany(run => run.Tests))
        {
            _pending[test.Id] = _pending.GetValueOrDefault(test.Id) + 1;
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
        var failed = attempts.Any(outcome => outcome == TestRunOutcome.Failed);
        if (attempts.Count > 0 && attempts.All(outcome => outcome is TestRunOutcome.Skipped or TestRunOutcome.None))
        {
            return TestVerdict.Skipped;
        }

        return mode switch
        {
            ExecutionMode.AllSuccess when failed || !passed => TestVerdict.Failed,
            ExecutionMode.AllSuccess => TestVerdict.Passed,
            _ when !passed => TestVerdict.Failed,
            _ when failed => TestVerdict.Flaky,
            _ => TestVerdict.Passed,
        };
    }

    // Under any-success a pass settles a test, under all-success a failure.
    private bool Settled(string testId) =>
        _attempts.TryGetValue(testId, out var attempts)
        && attempts.Any(outcome =>
            outcome == (mode == ExecutionMode.AnySuccess ? TestRunOutcome.Passed : TestRunOutcome.Failed));

    private int RunsAgainOf(string testId) =>
        _retries.GetValueOrDefault(testId) + _uncompletedRetries.GetValueOrDefault(testId);

    private List<TestRunOutcome?> Attempts(string testId)
    {
        if (!_attempts.TryGetValue(testId, out var attempts))
        {
            _attempts[testId] = attempts = [];
        }

        return attempts;
    }
}
