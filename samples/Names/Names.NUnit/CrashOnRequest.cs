using NUnit.Framework;

namespace Names;

/// <summary>Kills its test host when NAMES_CRASH is 1, so that a crash can be run on purpose.</summary>
public sealed class CrashOnRequest
{
    [Test]
    public void Crashes_the_test_host_when_asked()
    {
        Tricky.Record("nunit", TestContext.CurrentContext.Test.ID);
        if (Environment.GetEnvironmentVariable("NAMES_CRASH") == "1")
        {
            Environment.FailFast("NAMES_CRASH=1 kills this test host");
        }
    }
}
