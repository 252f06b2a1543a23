namespace Retries;

/// <summary>
/// Trouble on request, the same in NUnit, MSTest and xUnit: a test that kills its test host
/// (RETRIES_CRASH=1), one that hangs (RETRIES_HANG=1), one that fails on its first run only
/// (RETRIES_FLAKY_MARKER names a file: the first run creates it and fails), and one that always fails
/// (RETRIES_FAIL=1). Without the variables
/// every test passes. Each run of a test records itself through <see cref="Samples.TestRecorder"/>.
/// </summary>
public static class Trouble
{
    public static void Record(string framework, string test) => Samples.TestRecorder.Record($"{framework} {test}");

    public static void CrashWhenAsked()
    {
        if (Environment.GetEnvironmentVariable("RETRIES_CRASH") == "1")
        {
            Environment.FailFast("RETRIES_CRASH=1 kills this test host");
        }
    }

    public static void HangWhenAsked()
    {
        if (Environment.GetEnvironmentVariable("RETRIES_HANG") == "1")
        {
            Thread.Sleep(TimeSpan.FromMinutes(10));
        }
    }

    /// <summary>Whether every run must fail (RETRIES_FAIL=1).</summary>
    public static bool FailWhenAsked() => Environment.GetEnvironmentVariable("RETRIES_FAIL") == "1";

    /// <summary>Whether this is the first run of the flaky test of <paramref name="framework"/>, which must fail.</summary>
    public static bool FirstRunOfFlaky(string framework)
    {
        if (Environment.GetEnvironmentVariable("RETRIES_FLAKY_MARKER") is not { Length: > 0 } marker)
        {
            return false;
        }

        var file = $"{marker}.{framework}";
        if (File.Exists(file))
        {
            return false;
        }

        File.WriteAllText(file, "failed once");
        return true;
    }
}
