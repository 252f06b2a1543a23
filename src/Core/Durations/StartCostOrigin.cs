namespace BatchBuild.Core.Durations;

/// <summary>What a <see cref="StartCostEstimate"/> rests on, best first.</summary>
public enum StartCostOrigin
{
    /// <summary>The median start of the assembly's recorded test batch runs.</summary>
    TestBatches,

    /// <summary>The median time of the assembly's recorded listings: no test batch run is on record.</summary>
    Listings,

    /// <summary>How long this run's own discovery or listing took: nothing is on record.</summary>
    ThisRun,

    /// <summary><see cref="StartCostEstimator.DefaultStartMillis"/>: nothing is on record or measured.</summary>
    Default,
}
