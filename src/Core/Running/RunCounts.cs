namespace BatchBuild.Core.Running;

/// <summary>What a run's tests came to over all their attempts.</summary>
/// <param name="Passed">Tests that passed, flaky ones included.</param>
/// <param name="Failed">Tests that did not pass.</param>
/// <param name="Skipped">Tests that were skipped on every attempt.</param>
/// <param name="NotRun">Tests that never completed: their test host died every time.</param>
/// <param name="Flaky">Tests that passed but also failed.</param>
/// <param name="RunAgain">How many times a test ran again, as a retry or because it did not complete.</param>
public sealed record RunCounts(int Passed, int Failed, int Skipped, int NotRun, int Flaky, int RunAgain);
