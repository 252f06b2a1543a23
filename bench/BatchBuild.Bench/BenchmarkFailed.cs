namespace BatchBuild.Bench;

/// <summary>A step of the benchmark failed; its message says which and why.</summary>
internal sealed class BenchmarkFailed(string message) : Exception(message);
