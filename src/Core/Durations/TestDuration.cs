using BatchBuild.Core.Discovery;

namespace BatchBuild.Core.Durations;

/// <summary>How long a test takes: a percentile of its recorded runs.</summary>
/// <param name="Test">The test.</param>
/// <param name="Millis">The percentile of its representative durations, in milliseconds.</param>
/// <param name="Runs">How many recorded runs it rests on.</param>
/// <param name="Passed">How many of those runs passed, or null when the store did not say.</param>
public sealed record TestDuration(TestKey Test, double Millis, int Runs, int? Passed = null)
{
    /// <summary>The share of the recorded runs that passed, or null when unknown.</summary>
    public double? PassRate => Passed is { } passed && Runs > 0 ? (double)passed / Runs : null;
}
