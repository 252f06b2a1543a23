namespace BatchBuild.Core.Api;

/// <summary>
/// A test batch an agent registers: its tests by name within the assembly, and how long it is expected to take.
/// </summary>
public sealed record QueuedTestBatchDto(IReadOnlyList<string?>? Tests, double ExpectedMillis);
