using BatchBuild.Tests.Shared;

namespace BatchBuild.Core.Tests.Contracts;

/// <summary>Reads the repository's own files, which the contract tests hold the code to.</summary>
internal static class RepositoryFile
{
    /// <summary>The text of <paramref name="relativePath"/> (with <c>/</c>) below the repository root.</summary>
    public static string Read(string relativePath)
    {
        var path = Path.Combine([Repository.Root, .. relativePath.Split('/')]);
        Assert.That(File.Exists(path), Is.True, $"{relativePath} is missing from the repository");
        return File.ReadAllText(path);
    }

    /// <summary>
    /// Every file below <paramref name="folder"/> whose name matches <paramref name="pattern"/>, as
    /// paths relative to the root.
    /// </summary>
    public static IReadOnlyList<string> Find(string folder, string pattern) =>
        [.. Directory
            .EnumerateFiles(Path.Combine(Repository.Root, folder), pattern, SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(Repository.Root, path).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)];
}
