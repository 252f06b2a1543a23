namespace BatchBuild.Core.Running;

/// <summary>The time limits of one test batch's run, in milliseconds.</summary>
/// <param name="TestBatchMillis">The longest the run may take.</param>
/// <param name="TestOutputMillis">The longest the run may go without hearing of a test.</param>
public sealed record TestBatchLimits(long TestBatchMillis, long TestOutputMillis)
{
    /// <summary>
    /// The least time a test host has to start its first test before the output limit kills it:
    /// a host's start (the process, the framework's discovery of the assembly) is no test's
    /// output, and on a busy machine it can take longer than a short output limit.
    /// </summary>
    public const long StartAllowanceMillis = 60_000;

    /// <summary>No limit.</summary>
    public static TestBatchLimits None { get; } = new(long.MaxValue / 2, long.MaxValue / 2);

    /// <summary>
    /// The limit that has passed <paramref name="elapsedMillis"/> into a run, or null. The output
    /// limit counts from <paramref name="lastTestMillis"/>, when the run last heard of a test (its
    /// start or its result); while no test has started yet (null), the host is starting, and may
    /// take the output limit or <see cref="StartAllowanceMillis"/>, whichever is longer.
    /// </summary>
    public TimeLimitKind? PassedAt(double elapsedMillis, double? lastTestMillis) =>
        elapsedMillis > TestBatchMillis ? TimeLimitKind.TestBatch
        : lastTestMillis is { } last ? (elapsedMillis - last > TestOutputMillis ? TimeLimitKind.TestOutput : null)
        : elapsedMillis > Math.Max(TestOutputMillis, StartAllowanceMillis) ? TimeLimitKind.TestOutput
        : null;
}
