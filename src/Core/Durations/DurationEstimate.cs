namespace BatchBuild.Core.Durations;

/// <summary>How long a test is expected to take.</summary>
public readonly record struct DurationEstimate(double Millis, EstimateOrigin Origin)
{
    /// <summary>
    /// Whether the estimate rests on recorded history. Only such estimates count against a
    /// duration cap, so that a suite with no history is not cut into one-test batches by a guess.
    /// </summary>
    public bool IsFromHistory => Origin != EstimateOrigin.Default;
}
