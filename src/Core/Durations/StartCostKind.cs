namespace BatchBuild.Core.Durations;

/// <summary>What a <see cref="StartCostRecord"/> measured.</summary>
public enum StartCostKind
{
    /// <summary>One run of a test batch: its start is the time from launch to its first test.</summary>
    TestBatch,

    /// <summary>
    /// The discovery or listing of an assembly's tests: its start is how long the listing took, a
    /// measure of the start of a first run that has no test batch of the assembly on record.
    /// </summary>
    Listing,
}
