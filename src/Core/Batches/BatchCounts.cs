using System.Text.Json.Serialization;

namespace BatchBuild.Core.Batches;

/// <summary>
/// What a batch holds, frozen when it closes: the one record of a batch's counts, kept by the
/// store, sent by the server's API and held by the completion document.
/// </summary>
/// <param name="Passed">Tests that passed.</param>
/// <param name="Failed">Tests that failed.</param>
/// <param name="Skipped">Tests that were skipped or reported no outcome.</param>
/// <param name="TestBatches">Test batches that reported results.</param>
/// <param name="Agents">
/// Agents that reported results: machines, and agents of one run on one machine apart.
/// </param>
/// <param name="TestMillis">The sum of the tests' durations.</param>
/// <param name="Flaky">
/// Tests whose latest result passed after a result of theirs failed: counted as passed too.
/// </param>
/// <param name="Retried">Tests with more than one result: they ran again.</param>
public sealed record BatchCounts(
    [property: JsonPropertyOrder(-1)] int Passed,
    [property: JsonPropertyOrder(-1)] int Failed,
    [property: JsonPropertyOrder(-1)] int Skipped,
    int TestBatches,
    int Agents,
    double TestMillis,
    int Flaky = 0,
    int Retried = 0)
{
    /// <summary>A batch with no results.</summary>
    public static BatchCounts Empty { get; } = new(0, 0, 0, 0, 0, 0);

    /// <summary>All tests.</summary>
    /// <remarks>
    /// Written to JSON after <see cref="Skipped"/>, where the API and the completion document have
    /// always had it; read from JSON it is ignored, being the sum of the three before it.
    /// </remarks>
    [JsonPropertyOrder(-1)]
    public int Total => Passed + Failed + Skipped;
}
