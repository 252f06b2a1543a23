using Xunit;

namespace Retries;

/// <summary>Six tests in one class; one kills its test host when asked (xUnit picks the order).</summary>
public sealed class Crash
{
    [Fact]
    public void A_crashes_when_asked()
    {
        Trouble.Record("xunit", nameof(A_crashes_when_asked));
        Trouble.CrashWhenAsked();
    }

    [Fact]
    public void B_passes() => Trouble.Record("xunit", nameof(B_passes));

    [Fact]
    public void C_passes() => Trouble.Record("xunit", nameof(C_passes));

    [Fact]
    public void D_passes() => Trouble.Record("xunit", nameof(D_passes));

    [Fact]
    public void E_passes() => Trouble.Record("xunit", nameof(E_passes));

    [Fact]
    public void F_passes() => Trouble.Record("xunit", nameof(F_passes));
}

/// <summary>Three tests in one class; one hangs when asked.</summary>
public sealed class Hang
{
    [Fact]
    public void A_hangs_when_asked()
    {
        Trouble.Record("xunit", nameof(A_hangs_when_asked));
        Trouble.HangWhenAsked();
    }

    [Fact]
    public void B_passes() => Trouble.Record("xunit", "hang " + nameof(B_passes));

    [Fact]
    public void C_passes() => Trouble.Record("xunit", "hang " + nameof(C_passes));
}

/// <summary>A test that fails on its first run when asked, and one that fails every run when asked.</summary>
public sealed class Flaky
{
    [Fact]
    public void Fails_once_when_asked()
    {
        Trouble.Record("xunit", nameof(Fails_once_when_asked));
        Assert.False(Trouble.FirstRunOfFlaky("xunit"), "RETRIES_FLAKY_MARKER: the first run fails");
    }

    [Fact]
    public void Fails_when_asked()
    {
        Trouble.Record("xunit", nameof(Fails_when_asked));
        Assert.False(Trouble.FailWhenAsked(), "RETRIES_FAIL=1: every run fails");
    }
}
