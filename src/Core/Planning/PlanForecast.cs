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

    /// <summary>What <c>Size=auto</c> minimises: the predicted makespan and the tail at risk.</summary>
    public double RiskMillis => PredictedMillis + TailMillis;
}
