namespace BatchBuild.Core.Durations;

/// <summary>
/// What one run of a test batch, or one listing of an assembly's tests, cost beside its tests: the
/// history the planner's start cost <c>h</c> is estimated from.
/// </summary>
/// <param name="Assembly">The assembly's name, as <see cref="Discovery.TestKey.Assembly"/> names it.</param>
/// <param name="Kind">What was measured.</param>
/// <param name="StartMillis">
/// For a test batch, the milliseconds from its launch to the start of its first test (the time to
/// its first result less that result's duration); for a listing, how long the listing took.
/// </param>
/// <param name="WallMillis">The milliseconds from launch to the end of the run or listing.</param>
/// <param name="TestMillis">The sum of the durations its results reported (0 for a listing).</param>
/// <param name="Tests">How many results it reported (for a listing, how many tests it found).</param>
/// <param name="BatchId">The batch the run belonged to.</param>
/// <param name="FinishedAt">When the run or listing ended.</param>
/// <param name="ListDigest">
/// For a listing, the <see cref="Discovery.TestListDigest"/> of the tests it found, when known:
/// what a later run's whole-assembly run is checked against (see <see cref="Planning.RunAhead"/>).
/// </param>
public sealed record StartCostRecord(
    string Assembly,
    StartCostKind Kind,
    double StartMillis,
    double WallMillis,
    double TestMillis,
    int Tests,
    string BatchId,
    DateTimeOffset FinishedAt,
    string? ListDigest = null);
