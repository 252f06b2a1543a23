using Microsoft.VisualStudio.TestTools.UnitTesting;
using Retries;

[assembly: Parallelize(Workers = 1, Scope = ExecutionScope.MethodLevel)]

namespace Mtp.MSTest;

/// <summary>Plain tests, data rows, and rows whose arguments test names get wrong.</summary>
[TestClass]
public sealed class Basics
{
    [TestMethod]
    public void Adds() => Trouble.Record("mstest", nameof(Adds));

    [TestMethod]
    public void Subtracts() => Trouble.Record("mstest", nameof(Subtracts));

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    [DataRow(3)]
    public void Row(int row) => Trouble.Record("mstest", $"{nameof(Row)}({row})");

    [TestMethod]
    [DynamicData(nameof(TrickyArguments))]
    public void Tricky(string argument) => Names.Tricky.Record("mstest", argument);

    public static IEnumerable<object[]> TrickyArguments => Names.Tricky.All.Select(argument => new object[] { argument });
}

/// <summary>Trouble on request: a crash, a hang, a test that fails once, one that always fails.</summary>
[TestClass]
public sealed class Troubled
{
    [TestMethod]
    public void Crashes_when_asked()
    {
        Trouble.Record("mstest", nameof(Crashes_when_asked));
        Trouble.CrashWhenAsked();
    }

    [TestMethod]
    public void Hangs_when_asked()
    {
        Trouble.Record("mstest", nameof(Hangs_when_asked));
        Trouble.HangWhenAsked();
    }

    [TestMethod]
    public void Fails_once_when_asked()
    {
        Trouble.Record("mstest", nameof(Fails_once_when_asked));
        Assert.IsFalse(Trouble.FirstRunOfFlaky("mstest"), "the first run fails");
    }

    [TestMethod]
    public void Fails_when_asked()
    {
        Trouble.Record("mstest", nameof(Fails_when_asked));
        Assert.IsFalse(Trouble.FailWhenAsked(), "RETRIES_FAIL=1");
    }
}
