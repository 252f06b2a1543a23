using BatchBuild.Core.Configuration;

namespace BatchBuild.Core.Strategies;

/// <summary>Makes the strategy that settings name.</summary>
public static class BatchingStrategies
{
    /// <summary>
    /// The strategy for <paramref name="settings"/>, which the settings reader has validated; not for
    /// <c>Size=auto</c>, whose sizes the planner chooses with a cost model (see
    /// <see cref="AutoSizeBatchingStrategy"/>).
    /// </summary>
    public static IBatchingStrategy Create(BatchingStrategySettings settings) => settings.Type switch
    {
        BatchingStrategyType.Isolate => new IsolateBatchingStrategy(),
        BatchingStrategyType.FixedSize when settings.AutoSize => throw new ArgumentException(
            "Size=auto is sized by the planner's cost model.", nameof(settings)),
        BatchingStrategyType.FixedSize => new FixedSizeBatchingStrategy(
            settings.Size ?? throw new ArgumentException("The fixed-size strategy needs a size.", nameof(settings)),
            settings.DurationMillis,
            settings.LastMileLength),
        BatchingStrategyType.ClassName => new ClassNameBatchingStrategy(),
        _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Type, "Unknown batching strategy."),
    };
}
