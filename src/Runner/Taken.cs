using BatchBuild.Core.Planning;

namespace BatchBuild.Runner;

/// <summary>A test batch a worker took, with the worker slot it holds while it runs.</summary>
/// <param name="Batch">The test batch.</param>
/// <param name="Slot">The worker slot; the worker releases it when the test batch has run.</param>
/// <param name="Fresh">
/// Whether the test batch came from the queue rather than the plan the run started with or a retry.
/// </param>
/// <param name="Hold">The lease it runs under, in queue mode.</param>
internal sealed record Taken(TestBatch Batch, IDisposable Slot, bool Fresh, LeaseHold? Hold = null);
