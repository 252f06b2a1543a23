using Microsoft.VisualStudio.TestPlatform.Common.Filtering;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;

namespace BatchBuild.Tasks;

/// <summary>
/// The user's <c>--filter</c> (or runsettings <c>TestCaseFilter</c>) applied to discovered test
/// cases with the test platform's own filter language, as vstest.console applies it when it lists
/// tests: adapters are not bound to apply a filter during discovery, and several do not.
/// </summary>
internal sealed class CaseFilter
{
    private readonly TestCaseFilterExpression _expression;

    private CaseFilter(TestCaseFilterExpression expression) => _expression = expression;

    /// <summary>The filter <paramref name="text"/>, or null with the parse error when it is not one.</summary>
    public static CaseFilter? Parse(string text, out string? error)
    {
        var wrapper = new FilterExpressionWrapper(text);
        error = wrapper.ParseError;
        return error is null ? new CaseFilter(new TestCaseFilterExpression(wrapper)) : null;
    }

    /// <summary>Whether <paramref name="testCase"/> passes the filter.</summary>
    public bool Matches(TestCase testCase) => _expression.MatchTestCase(testCase, name => Value(testCase, name));

    // The names a filter may use: the test case's own properties, its name parts, and its traits.
    private static object? Value(TestCase testCase, string name)
    {
        switch (name.ToLowerInvariant())
        {
            case "fullyqualifiedname":
                return testCase.FullyQualifiedName;
            case "displayname" or "name":
                return testCase.DisplayName;
            case "classname":
                return DiscoveredSuite.ClassOf(testCase);
        }

        if (testCase.Properties.FirstOrDefault(p =>
                string.Equals(p.Label, name, StringComparison.OrdinalIgnoreCase)
                || string.Equals(p.Id, name, StringComparison.OrdinalIgnoreCase)) is { } property
            && testCase.GetPropertyValue(property) is { } value)
        {
            return value;
        }

        var traits = testCase.Traits.Where(trait => string.Equals(trait.Name, name, StringComparison.OrdinalIgnoreCase)
            || (name.Equals("TestCategory", StringComparison.OrdinalIgnoreCase)
                && trait.Name.Equals("Category", StringComparison.OrdinalIgnoreCase))
            || (name.Equals("Category", StringComparison.OrdinalIgnoreCase)
                && trait.Name.Equals("TestCategory", StringComparison.OrdinalIgnoreCase)))
            .Select(trait => trait.Value)
            .ToArray();
        return traits.Length > 0 ? traits : null;
    }
}
