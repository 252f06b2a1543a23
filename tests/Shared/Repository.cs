namespace BatchBuild.Tests.Shared;

/// <summary>Finds the repository this test assembly was built from.</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory);
            directory is not null;
            directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "BatchBuild.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No BatchBuild.sln above {AppContext.BaseDirectory}.");
    }
}
