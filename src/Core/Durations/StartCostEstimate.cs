using System.Globalization;

namespace BatchBuild.Core.Durations;

/// <summary>
/// What the planner expects one test batch of an assembly to cost beside its tests: the start
/// <c>h</c> it pays before its first test, and the factor <c>r</c> by which its wall time grows
/// per millisecond of expected test time.
/// </summary>
/// <param name="StartMillis">The start cost h, in milliseconds.</param>
/// <param name="TestTimeFactor">
/// The factor r: a test batch's wall time after its start, per millisecond its tests report. Below
/// 1 where the test framework runs tests at once in one process, above 1 where each test costs
/// more than it reports; 1 without history.
/// </param>
/// <param name="Origin">What the estimate rests on.</param>
/// <param name="Runs">How many recorded runs or listings it rests on (0 when none).</param>
public sealed record StartCostEstimate(double StartMillis, double TestTimeFactor, StartCostOrigin Origin, int Runs)
{
    /// <summary>The estimate of a test batch of <paramref name="expectedMillis"/> expected test time.</summary>
    public double CostOf(double expectedMillis) => StartMillis + TestTimeFactor * expectedMillis;

    /// <summary>Where the start came from, for the plan line, such as <c>median of 8 runs</c>.</summary>
    public string Describe() => Origin switch
    {
        StartCostOrigin.TestBatches => Runs == 1 ? "one recorded run" : $"median of {Runs} runs",
        StartCostOrigin.Listings => Runs == 1 ? "one recorded listing" : $"median of {Runs} listings",
        StartCostOrigin.ThisRun => "this run's discovery",
        _ => "default",
    };

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{StartMillis / 1000:0.0} s ({Describe()})");
}
