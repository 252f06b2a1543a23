namespace BatchBuild.Core.Configuration;

/// <summary>The batching strategy and its parameters, as Marathon's <c>batchingStrategy</c> names them.</summary>
/// <param name="Type">Which strategy cuts the test batches.</param>
/// <param name="Size">
/// The most tests in one test batch (<c>fixed-size</c> only; required there unless <see cref="AutoSize"/>).
/// </param>
/// <param name="DurationMillis">The most expected milliseconds in one test batch, or null for no cap.</param>
/// <param name="Percentile">Which percentile of a test's recorded durations is its expected duration, in (0,
/// 100].</param>
/// <param name="TimeLimit">How far back recorded durations count, or null for all of them.</param>
/// <param name="LastMileLength">When fewer tests than this remain, each test batch holds one test.</param>
public sealed record BatchingStrategySettings(
    BatchingStrategyType Type,
    int? Size,
    long? DurationMillis,
    double Percentile,
    TimeLimit? TimeLimit,
    int LastMileLength)
{
    /// <summary>
    /// Whether <c>Size</c> is <c>auto</c>: the planner sizes the <c>fixed-size</c> test batches from
    /// the start cost model, and <see cref="Size"/> is null.
    /// </summary>
    public bool AutoSize { get; init; }

    /// <summary>Whether the plan is the <c>fixed-size</c> strategy's with <c>Size=auto</c>.</summary>
    public bool IsAutoSize => Type == BatchingStrategyType.FixedSize && AutoSize;

    /// <summary>The configuration name of <see cref="Type"/>.</summary>
    public string TypeName => BatchBuildSettings.StrategyNames[Type];
}
