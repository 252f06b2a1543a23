namespace BatchBuild.Core.Strategies;

/// <summary>
/// How <see cref="AutoSizeBatchingStrategy"/> sizes the test batches of one assembly: each takes
/// about <c>clamp(R / divisor, FloorMillis, CapMillis)</c> of expected time, where R is the
/// assembly's expected time still waiting.
/// </summary>
/// <param name="Batches">
/// When set, cut the assembly into this many test batches of equal expected time: the divisor is
/// the number still to cut. When null, the divisor is <paramref name="Divisor"/>, so test batches
/// shrink as the work left shrinks (factoring).
/// </param>
/// <param name="Divisor">The divisor when <paramref name="Batches"/> is null, such as 2 × workers.</param>
/// <param name="FloorMillis">The least expected time a test batch aims at, so that the tail is not all starts.</param>
/// <param name="CapMillis">The most expected time in one test batch (a test longer than it runs alone).</param>
public sealed record AutoSizeRule(int? Batches, double Divisor, double FloorMillis, double CapMillis)
{
    /// <summary>
    /// <paramref name="batches"/> test batches of equal expected time, none past <paramref name="cap"/>.
    /// </summary>
    public static AutoSizeRule Equal(int batches, double cap) => new(Math.Max(1, batches), 1, 0, cap);

    /// <summary>
    /// Test batches of the work left divided by <paramref name="divisor"/>, none under
    /// <paramref name="floor"/> nor past <paramref name="cap"/>.
    /// </summary>
    public static AutoSizeRule Factoring(double divisor, double floor, double cap) => new(null, divisor, floor, cap);
}
