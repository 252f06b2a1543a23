using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Retries;

/// <summary>Six tests in one class; the first kills its test host when asked.</summary>
[TestClass]
public sealed class Crash
{
    [TestMethod]
    public void A_crashes_when_asked()
    {
        Trouble.Record("mstest", nameof(A_crashes_when_asked));
        Trouble.CrashWhenAsked();
    }

    [TestMethod]
    public void B_passes() => Trouble.Record("mstest", nameof(B_passes));

    [TestMethod]
    public void C_passes() => Trouble.Record("mstest", nameof(C_passes));

    [TestMethod]
    public void D_passes() => Trouble.Record("mstest", nameof(D_passes));

    [TestMethod]
    public void E_passes() => Trouble.Record("mstest", nameof(E_passes));

    [TestMethod]
    public void F_passes() => Trouble.Record("mstest", nameof(F_passes));
}

/// <summary>Three tests in one class; the first hangs when asked.</summary>
[TestClass]
public sealed class Hang
{
    [TestMethod]
    public void A_hangs_when_asked()
    {
        Trouble.Record("mstest", nameof(A_hangs_when_asked));
        Trouble.HangWhenAsked();
    }

    [TestMethod]
    public void B_passes() => Trouble.Record("mstest", "hang " + nameof(B_passes));

    [TestMethod]
    public void C_passes() => Trouble.Record("mstest", "hang " + nameof(C_passes));
}

/// <summary>A test that fails on its first run when asked, and one that fails every run when asked.</summary>
[TestClass]
public sealed class Flaky
{
    [TestMethod]
    public void Fails_once_when_asked()
    {
        Trouble.Record("mstest", nameof(Fails_once_when_asked));
        Assert.IsFalse(Trouble.FirstRunOfFlaky("mstest"), "RETRIES_FLAKY_MARKER: the first run fails");
    }

    [TestMethod]
    public void Fails_when_asked()
    {
        Trouble.Record("mstest", nameof(Fails_when_asked));
        Assert.IsFalse(Trouble.FailWhenAsked(), "RETRIES_FAIL=1: every run fails");
    }
}
