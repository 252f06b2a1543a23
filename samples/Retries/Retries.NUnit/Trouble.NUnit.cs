using NUnit.Framework;

namespace Retries;

/// <summary>Six tests in one class; the first (by name, as NUnit runs them) kills its test host when asked.</summary>
public sealed class Crash
{
    [Test]
    public void A_crashes_when_asked()
    {
        Trouble.Record("nunit", nameof(A_crashes_when_asked));
        Trouble.CrashWhenAsked();
    }

    [Test]
    public void B_passes() => Trouble.Record("nunit", nameof(B_passes));

    [Test]
    public void C_passes() => Trouble.Record("nunit", nameof(C_passes));

    [Test]
    public void D_passes() => Trouble.Record("nunit", nameof(D_passes));

    [Test]
    public void E_passes() => Trouble.Record("nunit", nameof(E_passes));

    [Test]
    public void F_passes() => Trouble.Record("nunit", nameof(F_passes));
}

/// <summary>Three tests in one class; the first hangs when asked.</summary>
public sealed class Hang
{
    [Test]
    public void A_hangs_when_asked()
    {
        Trouble.Record("nunit", nameof(A_hangs_when_asked));
        Trouble.HangWhenAsked();
    }

    [Test]
    public void B_passes() => Trouble.Record("nunit", "hang " + nameof(B_passes));

    [Test]
    public void C_passes() => Trouble.Record("nunit", "hang " + nameof(C_passes));
}

/// <summary>A test that fails on its first run when asked, and one that fails every run when asked.</summary>
public sealed class Flaky
{
    [Test]
    public void Fails_once_when_asked()
    {
        Trouble.Record("nunit", nameof(Fails_once_when_asked));
        Assert.That(Trouble.FirstRunOfFlaky("nunit"), Is.False, "RETRIES_FLAKY_MARKER: the first run fails");
    }

    [Test]
    public void Fails_when_asked()
    {
        Trouble.Record("nunit", nameof(Fails_when_asked));
        Assert.That(Trouble.FailWhenAsked(), Is.False, "RETRIES_FAIL=1: every run fails");
    }
}
