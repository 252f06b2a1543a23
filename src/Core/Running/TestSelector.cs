using System.Text;
using BatchBuild.Core.Discovery;

namespace BatchBuild.Core.Running;

/// <summary>How a test batch's tests are selected in the runsettings of its run.</summary>
public enum TestSelector
{
    /// <summary><c>RunConfiguration/TestCaseFilter</c>: <c>FullyQualifiedName=a|FullyQualifiedName=b</c>.</summary>
    TestCaseFilter,

    /// <summary>
    /// NUnit's own <c>&lt;NUnit&gt;&lt;Where&gt;</c> filter: NUnit3TestAdapter fails on any
    /// TestCaseFilter that holds a double quote, which parameterized NUnit names often do.
    /// </summary>
    NUnitWhere,
}

/// <summary>Writes the selection expressions of <see cref="TestSelector"/>.</summary>
public static class TestSelection
{
    /// <summary>
    /// A TestCaseFilter that selects exactly <paramref name="tests"/>; <paramref name="escape"/> is
    /// the test platform's own escaping of filter values (ObjectModel's <c>FilterHelper.Escape</c>).
    /// </summary>
    public static string TestCaseFilter(IEnumerable<SelectableTest> tests, Func<string, string> escape) =>
        string.Join('|', tests.Select(test => "FullyQualifiedName=" + escape(test.FullyQualifiedName)));

    /// <summary>An NUnit test selection expression that selects exactly <paramref name="tests"/> by full name.</summary>
    public static string NUnitWhere(IEnumerable<SelectableTest> tests) =>
        string.Join(" || ", tests.Select(test => $"test == {NUnitString(test.FullyQualifiedName)}"));

    // NUnit's selection language reads a quoted string up to the closing quote, taking the
    // character after a backslash literally.
    private static string NUnitString(string value)
    {
        var quoted = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            if (c is '"' or '\\')
            {
                quoted.Append('\\');
            }

            quoted.Append(c);
        }

        return quoted.Append('"').ToString();
    }
}
