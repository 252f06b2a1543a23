using Retries;
using Xunit;

namespace Mtp.XUnit;

/// <summary>Plain tests, theory rows, and rows whose arguments test names get wrong.</summary>
public sealed class Basics
{
    [Fact]
    public void Adds() => Trouble.Record("xunit", nameof(Adds));

    [Fact]
    public void Subtracts() => Trouble.Record("xunit", nameof(Subtracts));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Row(int row) => Trouble.Record("xunit", $"{nameof(Row)}({row})");

    [Theory]
    [MemberData(nameof(TrickyArguments))]
    public void Tricky(string argument) => Names.Tricky.Record("xunit", argument);

    public static TheoryData<string> TrickyArguments => new(Names.Tricky.All);
}

/// <summary>Trouble on request: a crash, a hang, a test that fails once, one that always fails.</summary>
public sealed class Troubled
{
    [Fact]
    public void Crashes_when_asked()
    {
        Trouble.Record("xunit", nameof(Crashes_when_asked));
        Trouble.CrashWhenAsked();
    }

    [Fact]
    public void Hangs_when_asked()
    {
        Trouble.Record("xunit", nameof(Hangs_when_asked));
        Trouble.HangWhenAsked();
    }

    [Fact]
    public void Fails_once_when_asked()
    {
        Trouble.Record("xunit", nameof(Fails_once_when_asked));
        Assert.False(Trouble.FirstRunOfFlaky("xunit"), "the first run fails");
    }

    [Fact]
    public void Fails_when_asked()
    {
        Trouble.Record("xunit", nameof(Fails_when_asked));
        Assert.False(Trouble.FailWhenAsked(), "RETRIES_FAIL=1");
    }
}
