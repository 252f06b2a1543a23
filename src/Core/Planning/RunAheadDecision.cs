namespace BatchBuild.Core.Planning;

/// <summary>Whether an assembly's tests run whole before their listing, and why.</summary>
/// <param name="Starts">Whether the run of all its tests comes first.</param>
/// <param name="Reason">Why, for the log.</param>
/// <param name="ListDigest">
/// When it starts, the <see cref="Discovery.TestListDigest"/> of the last listing, which the tests
/// the run reports must match for the listing to be skipped.
/// </param>
public sealed record RunAheadDecision(bool Starts, string Reason, string? ListDigest = null)
{
    /// <summary>The tests wait for the listing, for <paramref name="reason"/>.</summary>
    public static RunAheadDecision Wait(string reason) => new(false, reason);
}
