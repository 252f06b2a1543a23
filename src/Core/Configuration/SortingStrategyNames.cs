namespace BatchBuild.Core.Configuration;

/// <summary>The configuration names of the sorting strategy types.</summary>
public static class SortingStrategyNames
{
    /// <summary>Each type's name.</summary>
    public static IReadOnlyDictionary<SortingStrategyType, string> All { get; } =
        new Dictionary<SortingStrategyType, string>
        {
            [SortingStrategyType.ExecutionTime] = "execution-time",
            [SortingStrategyType.SuccessRate] = "success-rate",
        };
}
