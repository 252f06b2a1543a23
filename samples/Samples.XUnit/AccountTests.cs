using Xunit;

namespace Samples.XUnit;

public class AccountTests
{
    [Fact]
    public void Account_is_opened()
    {
        Thread.Sleep(700);
        TestRecorder.Record($"{GetType().FullName}.{nameof(Account_is_opened)}");
    }

    [Fact]
    public void Account_is_closed()
    {
        Thread.Sleep(100);
        TestRecorder.Record($"{GetType().FullName}.{nameof(Account_is_closed)}");
    }

    // Theory rows share one name, like MSTest data rows.
    [Theory]
    [InlineData("alice")]
    [InlineData("bob, \"the builder\"")]
    public void Name_is_stored(string name)
    {
        Thread.Sleep(50);
        TestRecorder.Record($"{GetType().FullName}.{nameof(Name_is_stored)}({name})");
        Assert.NotEmpty(name);
    }
}

public class StatementTests
{
    [Fact]
    public void Statement_is_rendered()
    {
        Thread.Sleep(250);
        TestRecorder.Record($"{GetType().FullName}.{nameof(Statement_is_rendered)}");
    }

    [Fact]
    public void Statement_is_empty_for_new_accounts()
    {
        TestRecorder.Record($"{GetType().FullName}.{nameof(Statement_is_empty_for_new_accounts)}");
        Assert.Empty(Array.Empty<string>());
    }
}
