namespace BatchBuild.Core.Durations;

/// <summary>Where an expected duration came from.</summary>
public enum EstimateOrigin
{
    /// <summary>The test's own recorded durations.</summary>
    Recorded,

    /// <summary>The median of the recorded tests of the test's class.</summary>
    ClassMedian,

    /// <summary>The median of all recorded tests.</summary>
    SuiteMedian,

    /// <summary>Nothing was recorded at all: the configured default.</summary>
    Default,
}
