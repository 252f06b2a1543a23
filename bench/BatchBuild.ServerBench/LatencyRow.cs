namespace BatchBuild.ServerBench;

/// <summary>
/// One line of the latency table: one-result writes into an empty store and beside 20,000 active batches.
/// </summary>
internal sealed record LatencyRow(string Name, double EmptyP50, double EmptyP95, double FullP50, double FullP95);
