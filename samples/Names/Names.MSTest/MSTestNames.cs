using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Names;

[TestClass]
public sealed class MSTestNames
{
    private static void Record(params object?[] values) => Tricky.Record("mstest", Tricky.Arguments(values));

    [TestMethod]
    [DataRow(Tricky.Quote)]
    [DataRow(Tricky.LineBreak)]
    [DataRow(Tricky.Tab)]
    [DataRow(Tricky.Slash)]
    [DataRow(Tricky.Comma)]
    [DataRow(Tricky.Paren)]
    [DataRow(Tricky.Bracket)]
    [DataRow(Tricky.Or)]
    [DataRow(Tricky.Backslash)]
    [DataRow(Tricky.Letters)]
    public void Row(string value) => Record(nameof(Row), value);

    public static IEnumerable<object[]> Rows => [.. Tricky.All.Append(Tricky.Long).Select(value => new object[] { value })];

    [TestMethod]
    [DynamicData(nameof(Rows))]
    public void Dynamic(string value) => Record(nameof(Dynamic), value);

    [TestMethod]
    [DataRow(new[] { "nofollow", "noopener" })]
    public void Arrays(string[] values) => Record(nameof(Arrays), values);
}
