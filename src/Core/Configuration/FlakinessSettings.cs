namespace BatchBuild.Core.Configuration;

/// <summary>
/// The flakiness strategy, with Marathon's keys and defaults: a test whose recorded pass rate
/// within <paramref name="TimeLimit"/> is below <paramref name="MinSuccessRate"/> is scheduled up
/// front as many times as it takes for at least one pass to be that likely, at most
/// <paramref name="MaxCount"/> times, each run in a different test batch.
/// </summary>
/// <param name="Type">The flakiness strategy.</param>
/// <param name="MinSuccessRate">The chance of at least one pass to reach, in (0, 1].</param>
/// <param name="MaxCount">The most runs of one test scheduled up front.</param>
/// <param name="TimeLimit">How far back recorded results count, or null for all of them.</param>
public sealed record FlakinessSettings(
    FlakinessStrategyType Type,
    double MinSuccessRate,
    int MaxCount,
    TimeLimit? TimeLimit)
{
    /// <summary><c>ignore</c>; with <c>probability</c>, 0.8 and at most 3 runs over all recorded results.</summary>
    public static FlakinessSettings Defaults { get; } = new(FlakinessStrategyType.Ignore, 0.8, 3, null);

    /// <summary>The configuration names of the flakiness strategy types.</summary>
    public static IReadOnlyDictionary<FlakinessStrategyType, string> TypeNames { get; } =
        new Dictionary<FlakinessStrategyType, string>
        {
            [FlakinessStrategyType.Ignore] = "ignore",
            [FlakinessStrategyType.Probability] = "probability",
        };

    /// <summary>
    /// How many times a test with recorded pass rate <paramref name="passRate"/> is scheduled: once
    /// under <c>ignore</c>, or when its rate is unknown or reaches <see cref="MinSuccessRate"/>;
    /// else the fewest runs n with 1 - (1 - rate)^n at least <see cref="MinSuccessRate"/>, at most
    /// <see cref="MaxCount"/>.
    /// </summary>
    public int RunsFor(double? passRate)
    {
        if (Type == FlakinessStrategyType.Ignore || passRate is not { } rate || rate >= MinSuccessRate)
        {
            return 1;
        }

        if (rate <= 0)
        {
            return Math.Max(1, MaxCount);
        }

        var runs = 1;
        while (runs < MaxCount && 1 - Math.Pow(1 - rate, runs) < MinSuccessRate - 1e-9)
        {
            runs++;
        }

        return Math.Max(1, runs);
    }
}
