namespace BatchBuild.Core.Agents;

/// <summary>A test batch in an agent queue: the tests by name within their assembly.</summary>
/// <param name="Index">Its 1-based position in the queue's plan.</param>
/// <param name="Tests">The tests' names (<see cref="Discovery.TestKey.FullyQualifiedName"/>).</param>
/// <param name="ExpectedMillis">How long it is expected to take.</param>
public sealed record QueuedTestBatch(int Index, IReadOnlyList<string> Tests, double ExpectedMillis);
