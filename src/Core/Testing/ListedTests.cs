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

                var display = Text(test, "displayName") ?? uid;
                var type = test.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.Object ? t : default;
                var ns = type.ValueKind == JsonValueKind.Object ? Text(type, "namespace") : null;
                var typeName = type.ValueKind == JsonValueKind.Object ? Text(type, "typeName") : null;
                var method = type.ValueKind == JsonValueKind.Object ? Text(type, "methodName") : null;
                var className = typeName is null ? null : ns is null ? typeName : $"{ns}.{typeName}";
                var name = className is null || method is null ? display : $"{className}.{method}";
                listed.Add(new DiscoveredTest(source, name, className ?? TestName.ClassOf(name), display, [], uid));
            }

            return (listed, null);
        }
        catch (JsonException e)
        {
            return (null, $"the test list is not valid JSON ({e.Message})");
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value)
        && value.ValueKind == JsonValueKind.String
        && value.GetString() is { Length: > 0 } text
            ? text
            : null;
}
