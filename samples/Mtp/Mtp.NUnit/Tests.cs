using NUnit.Framework;
using Retries;

namespace Mtp.NUnit;

/// <summary>Plain tests, test cases, and cases whose arguments test names get wrong.</summary>
public sealed class Basics
{
    [Test]
    public void Adds() => Trouble.Record("nunit", nameof(Adds));

    [Test]
    public void Subtracts() => Trouble.Record("nunit", nameof(Subtracts));

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void Row(int row) => Trouble.Record("nunit", $"{nameof(Row)}({row})");

    [TestCaseSource(nameof(TrickyArguments))]
    public void Tricky(string argument) => Names.Tricky.Record("nunit", argument);

    // NUnit's runner does not run a case whose name holds an escaped quote when it is selected by
    // uid, as BatchBuild selects every test batch: that case is here only with
    // SAMPLES_NUNIT_QUOTE=1, for the test of how BatchBuild reports it (README, "Known limits").
    public static IEnumerable<string> TrickyArguments =>
        Environment.GetEnvironmentVariable("SAMPLES_NUNIT_QUOTE") == "1" ? Names.Tricky.All : Names.Tricky.All.Where(argument => argument != Names.Tricky.Quote);
}

/// <summary>Trouble on request: a crash, a hang, a test that fails once, one that always fails.</summary>
public sealed class Troubled
{
    [Test]
    public void Crashes_when_asked()
    {
        Trouble.Record("nunit", nameof(Crashes_when_asked));
        Trouble.CrashWhenAsked();
    }

    [Test]
    public void Hangs_when_asked()
    {
        Trouble.Record("nunit", nameof(Hangs_when_asked));
        Trouble.HangWhenAsked();
    }

    [Test]
    public void Fails_once_when_asked()
    {
        Trouble.Record("nunit", nameof(Fails_once_when_asked));
        Assert.That(Trouble.FirstRunOfFlaky("nunit"), Is.False, "the first run fails");
    }

    [Test]
    public void Fails_when_asked()
    {
        Trouble.Record("nunit", nameof(Fails_when_asked));
        Assert.That(Trouble.FailWhenAsked(), Is.False, "RETRIES_FAIL=1");
    }
}
