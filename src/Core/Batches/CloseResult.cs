using System.Collections.Immutable;

namespace BatchBuild.Core.Batches;

/// <summary>The outcome of closing a batch.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Batch">The batch closed, or the latest one with the ID when none was active.</param>
/// <param name="FailedTests">The failed tests of the batch closed, as its notification lists them (the first
/// <see cref="BatchCompletion.MaxFailedTests"/>, messages cut).</param>
public sealed record CloseResult(CloseStatus Status, BatchInfo? Batch, ImmutableArray<FailedTest> FailedTests);
