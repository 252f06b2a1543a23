using System.Diagnostics;
using System.Globalization;

namespace BatchBuild.Runner;

/// <summary>
/// The test apps of one <c>dotnet test</c> invocation in Microsoft.Testing.Platform mode, known
/// through a folder they share: <c>dotnet test</c> asks every project how to run it before it
/// starts any, and BatchBuild's build step then enters the project in the folder of the process
/// it runs in — <c>dotnet test</c> itself. Each launcher marks its app done when it ends; the
/// last one closes the batch. The folder also holds the invocation's ID, from which the batch ID
/// is derived when none is set, so that every project shares it.
/// </summary>
internal sealed class Invocation
{
    private const string Expected = "expected";
    private const string Done = "done";
    private static readonly TimeSpan Stale = TimeSpan.FromDays(1);

    private Invocation(string folder) => Folder = folder;

    /// <summary>The shared folder.</summary>
    public string Folder { get; }

    /// <summary>The folder of the invocation run by this process, under <paramref name="root"/>.</summary>
    public static string FolderOf(string root, int processId, DateTime processStart) =>
        Path.Combine(root, string.Create(CultureInfo.InvariantCulture, $"{processId}-{processStart.ToUniversalTime().Ticks}"));

    /// <summary>The folder of the invocation this process runs in (the build step runs in <c>dotnet test</c>'s process).</summary>
    public static string FolderOfThisProcess(string root)
    {
        using var self = Process.GetCurrentProcess();
        return FolderOf(root, self.Id, self.StartTime);
    }

    /// <summary>Where the invocations' folders are: a folder of the temporary folder.</summary>
    public static string Root => Path.Combine(Path.GetTempPath(), "batchbuild-invocations");

    /// <summary>
    /// Enters <paramref name="token"/> (a project) in the invocation at <paramref name="folder"/>,
    /// making the folder and its ID when it is the first; folders of invocations a day old go.
    /// </summary>
    public static Invocation Join(string folder, string token)
    {
        if (!Directory.Exists(folder))
        {
            RemoveStale(Path.GetDirectoryName(folder)!);
        }

        Directory.CreateDirectory(Path.Combine(folder, Expected));
        Directory.CreateDirectory(Path.Combine(folder, Done));
        File.WriteAllText(Path.Combine(folder, Expected, token), string.Empty);
        var invocation = new Invocation(folder);
        _ = invocation.Id;
        return invocation;
    }

    /// <summary>The invocation at <paramref name="folder"/>, or null when there is none.</summary>
    public static Invocation? Open(string folder) => Directory.Exists(Path.Combine(folder, Expected)) ? new Invocation(folder) : null;

    /// <summary>The invocation's ID: made by the first project that enters, read by the others.</summary>
    public Guid Id
    {
        get
        {
            var path = Path.Combine(Folder, "id");
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    using var created = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
                    var id = Guid.NewGuid();
                    using var writer = new StreamWriter(created);
                    writer.Write(id.ToString("D"));
                    return id;
                }
                catch (IOException) when (File.Exists(path))
                {
                    // Another project made it; it may still be writing.
                    if (Guid.TryParse(File.ReadAllText(path), out var id))
                    {
                        return id;
                    }

                    if (attempt > 100)
                    {
                        throw;
                    }

                    Thread.Sleep(10);
                }
            }
        }
    }

    /// <summary>
    /// Marks <paramref name="token"/> done; true for the one caller that finds every project of
    /// the invocation done, which then closes the batch.
    /// </summary>
    public bool Finish(string token)
    {
        File.WriteAllText(Path.Combine(Folder, Done, token), string.Empty);
        var expected = Directory.GetFiles(Path.Combine(Folder, Expected)).Select(Path.GetFileName);
        var done = Directory.GetFiles(Path.Combine(Folder, Done)).Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);
        if (!expected.All(done.Contains))
        {
            return false;
        }

        try
        {
            // Only one of the launchers that end at once gets to make this file.
            using var closing = new FileStream(Path.Combine(Folder, "closing"), FileMode.CreateNew, FileAccess.Write, FileShare.None);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static void RemoveStale(string root)
    {
        if (!Directory.Exists(root))
        {
            return;
        }

        foreach (var folder in Directory.GetDirectories(root).Where(folder => DateTime.UtcNow - Directory.GetLastWriteTimeUtc(folder) > Stale))
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // In use or gone: another invocation cleans up later.
            }
            catch (UnauthorizedAccessException)
            {
                // Another user's: left to them.
            }
        }
    }
}
