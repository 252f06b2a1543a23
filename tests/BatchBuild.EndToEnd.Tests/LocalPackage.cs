namespace BatchBuild.EndToEnd.Tests;

/// <summary>
/// Prepares the suite once per test run, as a user's machine would hold it: BatchBuild packed into
/// a local feed under a version of its own (any copy an earlier run left in the NuGet cache is
/// removed), and a copy of the samples that restores from that feed, built once.
/// </summary>
[SetUpFixture]
public sealed class LocalPackage
{
    public const string Version = "0.1.0-e2e";

    /// <summary>The scratch folder of this test run.</summary>
    public static string Scratch { get; } = Path.Combine(Path.GetTempPath(), "batchbuild-e2e");

    /// <summary>The folder of the tasks, the logger and the collector in the restored package.</summary>
    public static string PackageTasks { get; private set; } = string.Empty;

    /// <summary>The built copy of the samples.</summary>
    public static string Samples { get; } = Path.Combine(Scratch, "samples");

    /// <summary>The Microsoft.Testing.Platform samples in the copy, whose global.json puts dotnet test in the platform's mode.</summary>
    public static string TestingPlatformSamples { get; } = Path.Combine(Samples, "Mtp");

    [OneTimeSetUp]
    public void Prepare()
    {
        if (Directory.Exists(Scratch))
        {
            Directory.Delete(Scratch, recursive: true);
        }

        var feed = Path.Combine(Scratch, "feed");
        var pack = Dotnet.Run(Repository.Root, null, "pack", Path.Combine("src", "Tasks", "BatchBuild.Tasks.csproj"), "-c", "Release", "-o", feed, $"-p:Version={Version}");
        Assert.That(pack.ExitCode, Is.Zero, pack.ToString());

        var locals = Dotnet.Run(Repository.Root, null, "nuget", "locals", "global-packages", "--list");
        var cache = locals.Output.Trim().Split(':', 2)[1].Trim();
        var cached = Path.Combine(cache, "batchbuild", Version);
        if (Directory.Exists(cached))
        {
            Directory.Delete(cached, recursive: true);
        }

        PackageTasks = Path.Combine(cached, "tasks", "net10.0");

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
        var testingPlatform = Dotnet.Run(TestingPlatformSamples, SampleRun.PackageEnvironment, "build", "Mtp.slnx", "-v:quiet");
        Assert.That(testingPlatform.ExitCode, Is.Zero, testingPlatform.ToString());
    }

    /// <summary>Copies the folder <paramref name="from"/> to <paramref name="to"/>, leaving out the folders named in <paramref name="leaveOut"/> at any depth.</summary>
    public static string Copy(string from, string to, params string[] leaveOut)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var directory in Directory.EnumerateDirectories(from).Where(directory => !leaveOut.Contains(Path.GetFileName(directory))))
        {
            Copy(directory, Path.Combine(to, Path.GetFileName(directory)), leaveOut);
        }

        return to;
    }
}
