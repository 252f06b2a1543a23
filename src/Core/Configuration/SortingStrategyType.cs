namespace BatchBuild.Core.Configuration;

/// <summary>Marathon's sorting strategy types: which test batches run first.</summary>
public enum SortingStrategyType
{
    /// <summary>The longest expected test batch first.</summary>
    ExecutionTime,

    /// <summary>The test batch with the least reliable test first, then the longest.</summary>
    SuccessRate,
}
