namespace BatchBuild.Runner;

/// <summary>
/// A platform's run of a whole project made before the plan (<see cref="ITestPlatform.RunWholeAsync"/>),
/// kept until the test batch it stands for, seen with the same variables, takes it.
/// </summary>
/// <typeparam name="TRun">What the platform's run reports.</typeparam>
internal sealed class KeptRun<TRun>
    where TRun : class
{
    private Kept? _kept;

    /// <summary>
    /// Keeps <paramref name="run"/>, made with <paramref name="variables"/>, which took <paramref name="millis"/>.
    /// </summary>
    public void Keep(IReadOnlyList<KeyValuePair<string, string>> variables, TRun run, double millis) =>
        _kept = new Kept(variables, run, millis);

    /// <summary>
    /// The run kept, with how long it took, when it was made with <paramref name="variables"/>; else
    /// null. Either way nothing is kept after: a run is taken once.
    /// </summary>
    public (TRun Run, double Millis)? Take(IReadOnlyList<KeyValuePair<string, string>> variables) =>
        Interlocked.Exchange(ref _kept, null) is { } kept && kept.Variables.SequenceEqual(variables)
            ? (kept.Run, kept.Millis)
            : null;

    private sealed record Kept(IReadOnlyList<KeyValuePair<string, string>> Variables, TRun Run, double Millis);
}
