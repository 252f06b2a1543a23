using BatchBuild.Core.Batches;

namespace BatchBuild.Core.Running;

/// <summary>
/// What the BatchBuild collector works with in a run BatchBuild did not plan: the batch, which
/// test batch this is, the store and where the results file goes.
/// </summary>
/// <param name="BatchId">The batch.</param>
/// <param name="TestBatch">The test batch's 1-based index.</param>
/// <param name="TestBatchCount">How many test batches the project was planned into.</param>
/// <param name="StorePath">
/// The embedded store, or null when whoever reads the results file records them.
/// </param>
/// <param name="ResultFile">Where the results file goes, or null for a temporary file.</param>
/// <param name="ExportApplitoolsBatchId">Whether tests also get <c>APPLITOOLS_BATCH_ID</c>.</param>
public sealed record RecorderSettings(
    BatchId BatchId,
    int TestBatch,
    int TestBatchCount,
    string? StorePath,
    string? ResultFile,
    bool ExportApplitoolsBatchId)
{
    /// <summary>The variables every test of the test batch sees.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> EnvironmentVariables =>
        TestEnvironment.Variables(BatchId, TestBatch, TestBatchCount, ExportApplitoolsBatchId);
}
