using System.Globalization;
using BatchBuild.Core.Batches;

namespace BatchBuild.Core.Running;

/// <summary>
/// What the BatchBuild logger or collector of one test batch works with: the batch, which test
/// batch this is, the store and where the test batch's results file goes.
/// </summary>
/// <param name="BatchId">The batch.</param>
/// <param name="TestBatch">The test batch's 1-based index.</param>
/// <param name="TestBatchCount">How many test batches the project was planned into.</param>
/// <param name="StorePath">
/// The embedded store, or null when whoever reads the results file records them: the MSBuild task
/// does so for the test batches it plans, which keeps SQLite out of every vstest.console process.
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

    /// <summary>The settings as the logger's configuration parameters.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ToParameters() =>
    [
        new("BatchId", BatchId.Value),
        new("TestBatch", TestBatch.ToString(CultureInfo.InvariantCulture)),
        new("TestBatchCount", TestBatchCount.ToString(CultureInfo.InvariantCulture)),
        new("Store", StorePath ?? string.Empty),
        new("ResultFile", ResultFile ?? string.Empty),
    ];

    /// <summary>Reads what <see cref="ToParameters"/> wrote; null with a problem when something is missing or wrong.</summary>
    public static RecorderSettings? FromParameters(IReadOnlyDictionary<string, string?> parameters, out string? problem)
    {
        string? Value(string key) => parameters.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
        int? Whole(string key) => int.TryParse(Value(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;

        problem = !BatchId.TryCreate(Value("BatchId"), out var batchId, out var idProblem) ? $"BatchId: {idProblem}"
            : Whole("TestBatch") is null ? "TestBatch: a whole number greater than 0 is needed"
            : Whole("TestBatchCount") is null ? "TestBatchCount: a whole number greater than 0 is needed"
            : null;
        return problem is null
            ? new RecorderSettings(batchId, Whole("TestBatch")!.Value, Whole("TestBatchCount")!.Value, Value("Store"), Value("ResultFile"), ExportApplitoolsBatchId: false)
            : null;
    }
}
