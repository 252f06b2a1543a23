namespace BatchBuild.Core.Configuration;

/// <summary>How expected durations are estimated from recorded ones.</summary>
/// <param name="Percentile">Which percentile of a test's recorded durations is its expected duration.</param>
/// <param name="TimeLimit">How far back recorded durations count, or null for all of them.</param>
/// <param name="DefaultDurationMillis">The estimate when nothing at all is recorded.</param>
public sealed record DurationSettings(double Percentile, TimeLimit? TimeLimit, long DefaultDurationMillis);
