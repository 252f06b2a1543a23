using NUnit.Framework;

namespace Names;

/// <summary>
/// Fails on its first run only when NAMES_FLAKY_MARKER names a file: the first run creates the
/// file and fails, later runs find it and pass. Without the variable it passes.
/// </summary>
public sealed class FlakyOnRequest
{
    [Test]
    public void Fails_on_its_first_run_when_asked()
    {
        Tricky.Record("nunit", TestContext.CurrentContext.Test.ID);
        if (Environment.GetEnvironmentVariable("NAMES_FLAKY_MARKER") is { Length: > 0 } marker && !File.Exists(marker))
        {
            File.WriteAllText(marker, "failed once");
            Assert.Fail("NAMES_FLAKY_MARKER: the first run fails");
        }
    }
}
