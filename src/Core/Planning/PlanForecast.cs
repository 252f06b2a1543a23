namespace BatchBuild.Core.Planning;

/// <summary>What a plan is predicted to cost on the workers at hand (see <see cref="CostModel"/>).</summary>
/// <param name="TestBatches">B, the number of test batches.</param>
/// <param name="TestMillis">W, the tests' expected time, each assembly's scaled by its factor r.</param>
/// <param name="StartMillis">B·h, the starts of all test batches together.</param>
/// <param name="PredictedMillis">The makespan of the simulated run of the plan.</param>
/// <param name="LowerBoundMillis">max((W + B·h) / m, longest test + h): no run of the plan is shorter.</param>
/// <param name="TailMillis">
/// The mean test time of each worker's last test batch: what an estimate that is off could add to
/// the makespan, as no other worker can take over a test batch once it runs.
/// </param>
public sealed record PlanForecast(
    int TestBatches,
    double TestMillis,
    double StartMillis,
    double PredictedMillis,
    double LowerBoundMillis,
    double TailMillis)
{
    /// <summary>Whether the plan spends more time starting test batches than running tests.</summary>
    public bool StartExceedsTests => StartMillis > TestMillis;

    /// <summary>
    /// How far off an estimate of a test batch's time is taken to be, as a share of it: what
    /// <see cref="RiskMillis"/> adds of the tail.
    /// </summary>
    public const double EstimateError = 0.5;

    /// <summary>
    /// What <c>Size=auto</c> minimises: the predicted makespan and the share of the tail an estimate
    /// that is off puts at risk. For m equal test batches of length d this is
    /// W/m + W·h/(d·m) + u·d, least at d = √(W·h/(u·m)), u = <see cref="EstimateError"/>.
    /// </summary>
    public double RiskMillis => PredictedMillis + EstimateError * TailMillis;
}
