namespace BatchBuild.Core;

/// <summary>Reads an environment variable as BatchBuild's resolvers take it: trimmed, with empty as not set.</summary>
internal static class EnvironmentValues
{
    /// <summary>The trimmed value of <paramref name="name"/>, or null when it is not set or empty.</summary>
    public static string? Of(Func<string, string?> environment, string name) =>
        environment(name)?.Trim() is { Length: > 0 } value ? value : null;
}
