using Retries;

[assembly: NotInParallel]

namespace Mtp.TUnit;

/// <summary>Plain tests, argument rows, and rows whose arguments test names get wrong.</summary>
public sealed class Basics
{
    [Test]
    public void Adds() => Trouble.Record("tunit", nameof(Adds));

    [Test]
    public void Subtracts() => Trouble.Record("tunit", nameof(Subtracts));

    [Test]
    [Arguments(1)]
    [Arguments(2)]
    [Arguments(3)]
    public void Row(int row) => Trouble.Record("tunit", $"{nameof(Row)}({row})");

    [Test]
    [MethodDataSource(nameof(TrickyArguments))]
    public void Tricky(string argument) => Names.Tricky.Record("tunit", argument);

    public static IEnumerable<string> TrickyArguments() => Names.Tricky.All;
}

/// <summary>Trouble on request: a crash, a hang, a test that fails once, one that always fails.</summary>
public sealed class Troubled
{
    [Test]
    public void Crashes_when_asked()
    {
        Trouble.Record("tunit", nameof(Crashes_when_asked));
        Trouble.CrashWhenAsked();
    }

    [Test]
    public void Hangs_when_asked()
    {
        Trouble.Record("tunit", nameof(Hangs_when_asked));
        Trouble.HangWhenAsked();
    }

    [Test]
    public async Task Fails_once_when_asked()
    {
        Trouble.Record("tunit", nameof(Fails_once_when_asked));
        await Assert.That(Trouble.FirstRunOfFlaky("tunit")).IsFalse();
    }

    [Test]
    public async Task Fails_when_asked()
    {
        Trouble.Record("tunit", nameof(Fails_when_asked));
        await Assert.That(Trouble.FailWhenAsked()).IsFalse();
    }
}
