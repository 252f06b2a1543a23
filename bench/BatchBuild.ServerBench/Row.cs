namespace BatchBuild.ServerBench;

/// <summary>One line of the throughput table: one store under the concurrent agents.</summary>
internal sealed record Row(
    string Name,
    double ResultsPerSecond,
    double P50,
    double P95,
    double ResentPerSecond,
    double DurationsMillis,
    double CloseMillis,
    double DotNetCpuPerReport,
    double PostgresCpuPerReport);
