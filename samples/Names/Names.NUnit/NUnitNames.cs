using NUnit.Framework;

namespace Names;

public sealed class NUnitNames
{
    private static void Record() => Tricky.Record("nunit", TestContext.CurrentContext.Test.ID);

    [TestCase(Tricky.Quote)]
    [TestCase(Tricky.LineBreak)]
    [TestCase(Tricky.Tab)]
    [TestCase(Tricky.Slash)]
    [TestCase(Tricky.Comma)]
    [TestCase(Tricky.Paren)]
    [TestCase(Tricky.Bracket)]
    [TestCase(Tricky.Or)]
    [TestCase(Tricky.Backslash)]
    [TestCase(Tricky.Letters)]
    public void Attribute(string value) => Record();

    public static IEnumerable<TestCaseData> Sources()
    {
        foreach (var value in Tricky.All)
        {
            yield return new TestCaseData(value);
        }

        yield return new TestCaseData(Tricky.Long);
        yield return new TestCaseData("named").SetName("Named/with a slash, and a comma");
        yield return new TestCaseData("named too").SetName("Ns.Odd(\"a/b\", [1, 2])");
    }

    [TestCaseSource(nameof(Sources))]
    public void Source(string value) => Record();

    [TestCase(new object[] { new[] { "nofollow", "noopener" } })]
    [TestCase(new object[] { new[] { "a \"b\"", "c\r\nd" } })]
    public void Arrays(string[] values) => Record();

    // Two cases with the same name: the test platform gives them one ID, and both run.
    [TestCase("twice")]
    [TestCase("twice")]
    public void SameName(string value) => Record();
}
