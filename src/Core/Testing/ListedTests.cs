using System.Text;
using System.Text.Json;
using BatchBuild.Core.Discovery;

namespace BatchBuild.Core.Testing;

/// <summary>
/// Reads what a Microsoft.Testing.Platform test app prints for <c>--list-tests json</c>: each
/// test's uid (what <c>--filter-uid</c> selects it by), display name, and the namespace, type and
/// method it comes from. A test's name is <c>Namespace.Type.Method</c>, the way VSTest names it,
/// so that tests whose names are shared (data rows, theory rows) are told apart by display name
/// in history (see <see cref="SelectableTest.From"/>); a test the app gives no method for goes by
/// its display name.
/// </summary>
public static class ListedTests
{
    /// <summary>
    /// The tests in <paramref name="output"/>, of the test app at <paramref name="source"/>; null
    /// and why when the output holds no test list.
    /// </summary>
    public static (IReadOnlyList<DiscoveredTest>? Tests, string? Problem) Read(string source, string output) =>
        Read(source, Encoding.UTF8.GetBytes(output));

    /// <summary>
    /// The tests in <paramref name="output"/>, the app's output as it wrote it (UTF-8), of the test
    /// app at <paramref name="source"/>; null and why when the output holds no test list.
    /// </summary>
    public static (IReadOnlyList<DiscoveredTest>? Tests, string? Problem) Read(
        string source,
        ReadOnlyMemory<byte> output)
    {
        // The list is the output's one JSON object; a banner or a warning may come before it.
        var start = output.Span.IndexOf((byte)'{');
        var end = output.Span.LastIndexOf((byte)'}');
        if (start < 0 || end < start)
        {
            return (null, "the test app printed no test list");
        }

        try
        {
            using var document = JsonDocument.Parse(output[start..(end + 1)]);
            if (!document.RootElement.TryGetProperty("tests", out var tests) || tests.ValueKind != JsonValueKind.Array)
            {
                return (null, "the test list has no 'tests' array");
            }

            var listed = new List<DiscoveredTest>();
            foreach (var test in tests.EnumerateArray())
            {
                var uid = Text(test, "uid");
                if (uid is null)
                {
                    return (null, "a test in the list has no uid");
                }

                var type = test.TryGetProperty(ReporterLine.Type, out var t) && t.ValueKind == JsonValueKind.Object
                    ? t
                    : (JsonElement?)null;
                listed.Add(Describe(source, uid, Text(test, "displayName"), type));
            }

            return (listed, null);
        }
        catch (JsonException e)
        {
            return (null, $"the test list is not valid JSON ({e.Message})");
        }
    }

    /// <summary>
    /// The test <paramref name="uid"/> of the app at <paramref name="source"/>, named as its listing
    /// names it: <paramref name="display"/> (else its uid), and the namespace, type and method of
    /// <paramref name="type"/>, an object as the listing and BatchBuild's reporter write it.
    /// </summary>
    public static DiscoveredTest Describe(string source, string uid, string? display, JsonElement? type)
    {
        display ??= uid;
        var ns = type is { } t1 ? Text(t1, ReporterLine.Namespace) : null;
        var typeName = type is { } t2 ? Text(t2, ReporterLine.TypeName) : null;
        var method = type is { } t3 ? Text(t3, ReporterLine.MethodName) : null;
        var className = typeName is null ? null : ns is null ? typeName : $"{ns}.{typeName}";
        var name = className is null || method is null ? display : $"{className}.{method}";
        return new DiscoveredTest(source, name, className ?? TestName.ClassOf(name), display, [], uid);
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value)
        && value.ValueKind == JsonValueKind.String
        && value.GetString() is { Length: > 0 } text
            ? text
            : null;
}
