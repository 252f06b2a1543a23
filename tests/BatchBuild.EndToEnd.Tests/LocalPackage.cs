namespace BatchBuild.EndToEnd.Tests;

/// <summary>
/// Prepares the suite once per test run, as a user's machine would hold it: BatchBuild packed into
/// a local feed under a version of this run's own, and a copy of the samples that restores from
/// that feed, built once. The scratch folder and the version are this run's alone, so two runs of
/// the suite on one machine (two clones, or CI beside a developer) never delete or restore each
/// other's files; what a run leaves behind is removed when it ends, and what a killed run left is
/// removed by a later run once it is a day old.
/// </summary>
[SetUpFixture]
public sealed class LocalPackage
{
    private const string ScratchPrefix = "batchbuild-e2e-";
    private const string VersionPrefix = "0.1.0-e2e.";
    private static readonly string RunId = $"r{Guid.NewGuid():N}"[..9];

    /// <summary>The version the package is packed under in this test run.</summary>
    public static string Version { get; } = VersionPrefix + RunId;

    /// <summary>The scratch folder of this test run.</summary>
    public static string Scratch { get; } = Path.Combine(Path.GetTempPath(), ScratchPrefix + RunId);

    /// <summary>The folder of the tasks, the logger and the collector in the restored package.</summary>
    public static string PackageTasks { get; private set; } = string.Empty;

    /// <summary>The built copy of the samples.</summary>
    public static string Samples { get; } = Path.Combine(Scratch, "samples");

    /// <summary>The Microsoft.Testing.Platform samples in the copy, whose global.json puts dotnet test in the
    /// platform's mode.</summary>
    public static string TestingPlatformSamples { get; } = Path.Combine(Samples, "Mtp");

    /// <summary>The global NuGet package cache, where the packed packages are restored to.</summary>
    public static string PackageCache { get; private set; } = string.Empty;

    [OneTimeSetUp]
    public void Prepare()
    {
        var locals = Dotnet.Run(Repository.Root, null, "nuget", "locals", "global-packages", "--list");
        PackageCache = locals.Output.Trim().Split(':', 2)[1].Trim();
        RemoveStale();

        var feed = Path.Combine(Scratch, "feed");
        var pack = Dotnet.Run(
            Repository.Root,
            null,
            "pack",
            Path.Combine("src", "Tasks", "BatchBuild.Tasks.csproj"),
            "-c",
            "Release",
            "-o",
            feed,
            $"-p:Version={Version}");
        Assert.That(pack.ExitCode, Is.Zero, pack.ToString());

        PackageTasks = Path.Combine(PackageCache, "batchbuild", Version, "tasks", "net10.0");

        Copy(Path.Combine(Repository.Root, "samples"), Samples, "bin", "obj", ".batchbuild", "TestResults");
        File.WriteAllText(Path.Combine(Samples, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="batchbuild-e2e" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        var build = Dotnet.Run(Samples, SampleRun.PackageEnvironment, "build", "Samples.sln", "-v:quiet");
        Assert.That(build.ExitCode, Is.Zero, build.ToString());
        var testingPlatform = Dotnet.Run(
            TestingPlatformSamples,
            SampleRun.PackageEnvironment,
            "build",
            "Mtp.slnx",
            "-v:quiet");
        Assert.That(testingPlatform.ExitCode, Is.Zero, testingPlatform.ToString());
    }

    [OneTimeTearDown]
    public void Remove()
    {
        foreach (var folder in OwnFolders())
        {
            TryDelete(folder);
        }
    }

    // This run's scratch folder and its packages in the cache.
    private static IEnumerable<string> OwnFolders() =>
        [
            Scratch,
            .. new[] { "batchbuild", "batchbuild.server" }.Select(package => Path.Combine(
                PackageCache,
                package,
                Version))];

    // What runs that were killed left behind, once it is a day old: a run in progress is never older.
    private static void RemoveStale()
    {
        var dayAgo = DateTime.UtcNow.AddDays(-1);
        var stale = new DirectoryInfo(Path.GetTempPath()).EnumerateDirectories(ScratchPrefix + "*")
            .Concat(new[] { "batchbuild", "batchbuild.server" }
                .Select(package => new DirectoryInfo(Path.Combine(PackageCache, package)))
                .Where(folder => folder.Exists)
                .SelectMany(folder => folder.EnumerateDirectories(VersionPrefix + "*")))
            .Where(folder => folder.LastWriteTimeUtc < dayAgo);
        foreach (var folder in stale)
        {
            TryDelete(folder.FullName);
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TestContext.Progress.WriteLine($"could not remove {folder}: {e.Message}");
        }
    }

    /// <summary>Copies the folder <paramref name="from"/> to <paramref name="to"/>, leaving out the folders named in
    /// <paramref name="leaveOut"/> at any depth.</summary>
    public static string Copy(string from, string to, params string[] leaveOut)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        var directories = Directory.EnumerateDirectories(from)
            .Where(directory => !leaveOut.Contains(Path.GetFileName(directory)));
        foreach (var directory in directories)
        {
            Copy(directory, Path.Combine(to, Path.GetFileName(directory)), leaveOut);
        }

        return to;
    }
}
