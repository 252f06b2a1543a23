namespace Samples;

/// <summary>
/// Lets the end-to-end tests check how BatchBuild ran each sample test: when
/// SAMPLES_RECORD_DIR is set, every test appends its name, the batch it saw, its test batch and
/// its process to a file of its process.
/// </summary>
public static class TestRecorder
{
    public static void Record(string test)
    {
        if (Environment.GetEnvironmentVariable("SAMPLES_RECORD_DIR") is not { Length: > 0 } directory)
        {
            return;
        }

        string Variable(string name) => Environment.GetEnvironmentVariable(name) ?? "";
        var line = string.Join('\t',
            test,
            Variable("BATCHBUILD_BATCH_ID"),
            Variable("BATCHBUILD_TEST_BATCH"),
            Variable("BATCHBUILD_TEST_BATCH_COUNT"),
            Environment.ProcessId,
            Variable("APPLITOOLS_BATCH_ID"));
        Directory.CreateDirectory(directory);
        File.AppendAllText(Path.Combine(directory, $"{Environment.ProcessId}.tsv"), line.Replace("\n", "\\n") + "\n");
    }

    /// <summary>Fails when SAMPLES_FAIL is 1, so that the failing path can be run on purpose.</summary>
    public static bool FailOnPurpose => Environment.GetEnvironmentVariable("SAMPLES_FAIL") == "1";
}
