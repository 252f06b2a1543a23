using BatchBuild.Core.Discovery;
using BatchBuild.Core.Planning;

namespace BatchBuild.Core.Running;

/// <summary>
/// Tests that run again together in a fresh test host: a failed, crashing or timed-out test
/// alone, the uncompleted tests of one test batch together.
/// </summary>
/// <param name="Tests">The tests, in their test batch's order.</param>
/// <param name="Reason">Why they run again.</param>
/// <param name="Run">Which run again of its test this is, from 1 (for uncompleted tests, the most of any of
/// them).</param>
/// <param name="From">The test batch they failed or did not complete in.</param>
public sealed record RunAgain(
    System.Collections.Immutable.ImmutableArray<SelectableTest> Tests,
    RunAgainReason Reason,
    int Run,
    TestBatch From);
