using Xunit;

namespace Names;

public sealed class XUnitNames
{
    private static void Record(params object?[] values) => Tricky.Record("xunit", Tricky.Arguments(values));

    [Theory]
    [InlineData(Tricky.Quote)]
    [InlineData(Tricky.LineBreak)]
    [InlineData(Tricky.Tab)]
    [InlineData(Tricky.Slash)]
    [InlineData(Tricky.Comma)]
    [InlineData(Tricky.Paren)]
    [InlineData(Tricky.Bracket)]
    [InlineData(Tricky.Or)]
    [InlineData(Tricky.Backslash)]
    [InlineData(Tricky.Letters)]
    public void Inline(string value) => Record(nameof(Inline), value);

    public static TheoryData<string> Members => [.. Tricky.All.Append(Tricky.Long)];

    [Theory]
    [MemberData(nameof(Members))]
    public void Member(string value) => Record(nameof(Member), value);

    [Theory]
    [InlineData(new object[] { new[] { "nofollow", "noopener" } })]
    [InlineData(new object[] { new[] { "a \"b\"", "c\r\nd" } })]
    public void Arrays(string[] values) => Record(nameof(Arrays), values);
}
