namespace BatchBuild.Core.Batches;

/// <summary>The environment variables every test of a test batch sees.</summary>
public static class TestEnvironment
{
    /// <summary>The 1-based index of the test batch a test runs in.</summary>
    public const string TestBatchVariable = "BATCHBUILD_TEST_BATCH";

    /// <summary>How many test batches the test's project was planned into.</summary>
    public const string TestBatchCountVariable = "BATCHBUILD_TEST_BATCH_COUNT";

    /// <summary>
    /// The variables for a test of test batch <paramref name="testBatch"/> of <paramref name="testBatchCount"/> in
    /// <paramref name="batchId"/>.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Variables(
        BatchId batchId,
        int testBatch,
        int testBatchCount,
        bool exportApplitoolsBatchId)
    {
        var variables = new List<KeyValuePair<string, string>>
        {
            new(BatchIdResolver.BatchIdVariable, batchId.Value),
            new(TestBatchVariable, testBatch.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new(TestBatchCountVariable, testBatchCount.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
        if (exportApplitoolsBatchId)
        {
            variables.Add(new(BatchIdResolver.ApplitoolsBatchIdVariable, batchId.Value));
        }

        return variables;
    }
}
