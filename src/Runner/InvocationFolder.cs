using System.Diagnostics;
using System.Globalization;

namespace BatchBuild.Runner;

/// <summary>
/// The one folder of a <c>dotnet test</c> invocation, shared by every project it runs, and the
/// names of everything in it: the worker slots the projects' test batches compete for, the launch
/// file of each Microsoft.Testing.Platform app, the marks that tell the last project to close the
/// batch, the invocation's ID (from which the batch ID is derived when none is set) and the run
/// files of each project. In VSTest mode the invocation is known by <c>dotnet test</c>'s session
/// ID; in Microsoft.Testing.Platform mode by <c>dotnet test</c>'s process, in which the build step
/// that enters each project runs. Folders of invocations a day old are removed when a new one is
/// made. The close hand-off of VSTest mode goes where the SDK's post-processing step reads it (see
/// <see cref="CreateHandoffFolder"/>), outside this folder.
/// </summary>
internal sealed class InvocationFolder
{
    private const string IdFile = "id";
    private const string ClosingFile = "closing";
    private const string ProjectsFolder = "projects";
    private const string WorkersFolder = "workers";
    private const string LaunchesFolder = "launches";
    private const string RunsFolder = "runs";
    private static readonly TimeSpan Stale = TimeSpan.FromDays(1);

    private InvocationFolder(string path, string? sessionId)
    {
        Folder = path;
        SessionId = sessionId;
    }

    /// <summary>The folder's path.</summary>
    public string Folder { get; }

    /// <summary>The session ID of <c>dotnet test</c> in VSTest mode, or null.</summary>
    public string? SessionId { get; }

    /// <summary>Where the invocations' folders are: a folder of the temporary folder.</summary>
    public static string Root => Path.Combine(Path.GetTempPath(), "batchbuild-invocations");

    /// <summary>The folder that holds the worker slots every project of the invocation shares.</summary>
    public string WorkerSlots => Path.Combine(Folder, WorkersFolder);

    /// <summary>
    /// The invocation of a VSTest-mode <c>dotnet test</c> with <paramref name="sessionId"/>
    /// (<c>VSTestSessionCorrelationId</c>, the same for each of its projects); without one (MSBuild
    /// run on its own), a folder of this process's own.
    /// </summary>
    public static InvocationFolder ForSession(string? sessionId)
    {
        var key = string.IsNullOrWhiteSpace(sessionId)
            ? $"{Environment.ProcessId}-{Guid.NewGuid():N}"
            : string.Concat(sessionId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_'));
        return Create(Path.Combine(Root, "session-" + key), string.IsNullOrWhiteSpace(sessionId) ? null : sessionId);
    }

    /// <summary>
    /// The invocation this process runs: the build step of a Microsoft.Testing.Platform-mode
    /// <c>dotnet test</c> runs in <c>dotnet test</c>'s own process.
    /// </summary>
    public static InvocationFolder OfThisProcess()
    {
        using var self = Process.GetCurrentProcess();
        return Create(FolderOf(self.Id, self.StartTime), sessionId: null);
    }

    /// <summary>
    /// The folder of the invocation run by the process <paramref name="processId"/>, started at
    /// <paramref name="processStart"/>.
    /// </summary>
    public static string FolderOf(int processId, DateTime processStart) =>
        Path.Combine(
            Root,
            string.Create(CultureInfo.InvariantCulture, $"{processId}-{processStart.ToUniversalTime().Ticks}"));

    /// <summary>The invocation at <paramref name="path"/>, as a launch file names it; null when it is gone.</summary>
    public static InvocationFolder? Open(string path) =>
        Directory.Exists(Path.Combine(path, ProjectsFolder)) ? new InvocationFolder(path, sessionId: null) : null;

    /// <summary>
    /// Where the launch of the project entered as <paramref name="token"/> is written: in the
    /// invocation's folder, so that two invocations that run the same build output at once, each
    /// with its own properties, never read each other's; without an invocation, in a folder of
    /// the temporary folder.
    /// </summary>
    public static string LaunchFile(InvocationFolder? invocation, string token) =>
        Path.Combine(
            invocation is null
                ? Path.Combine(Path.GetTempPath(), "batchbuild-launches")
                : Path.Combine(invocation.Folder, LaunchesFolder),
            $"{token}.launch.json");

    /// <summary>
    /// A new folder for the files of one run of the project entered as <paramref name="token"/>
    /// (a test app's result files).
    /// </summary>
    public string CreateRunFolder(string token) =>
        Directory.CreateDirectory(
            Path.Combine(Folder, RunsFolder, $"{token}-{Environment.ProcessId}-{Guid.NewGuid():N}")).FullName;

    /// <summary>
    /// A new folder for one hand-off to the SDK's post-processing step, which reads every hand-off
    /// under <c>{temp}/{session ID}</c> after the last project (see
    /// <see cref="Core.Batches.PostProcessingHandoff"/>); null outside a VSTest-mode <c>dotnet test</c>.
    /// </summary>
    public string? CreateHandoffFolder() =>
        SessionId is null ? null : Core.Batches.PostProcessingHandoff.CreateFolder(Path.GetTempPath(), SessionId);

    /// <summary>
    /// Enters <paramref name="token"/> (a project) in the invocation, as <see cref="ProjectMark.Expected"/>.
    /// </summary>
    public void Enter(string token)
    {
        Directory.CreateDirectory(Path.Combine(Folder, ProjectsFolder));
        Mark(token, ProjectMark.Expected);
        _ = Id;
    }

    /// <summary>Whether the project entered as <paramref name="token"/> has <paramref name="mark"/>.</summary>
    public bool Has(string token, ProjectMark mark) => File.Exists(MarkFile(token, mark));

    /// <summary>The invocation's ID: made by the first project that asks, read by the others.</summary>
    public Guid Id
    {
        get
        {
            var path = Path.Combine(Folder, IdFile);
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
        Mark(token, ProjectMark.Done);
        var marks = Directory.GetFiles(Path.Combine(Folder, ProjectsFolder))
            .Select(Path.GetFileName)
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);
        var expected = marks.Where(name => name.EndsWith(Suffix(ProjectMark.Expected), StringComparison.Ordinal));
        if (!expected.All(name =>
            marks.Contains(name[..^Suffix(ProjectMark.Expected).Length] + Suffix(ProjectMark.Done))))
        {
            return false;
        }

        try
        {
            // Only one of the launchers that end at once gets to make this file.
            using var closing = new FileStream(
                Path.Combine(Folder, ClosingFile), FileMode.CreateNew, FileAccess.Write, FileShare.None);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private void Mark(string token, ProjectMark mark) => File.WriteAllText(MarkFile(token, mark), string.Empty);

    private string MarkFile(string token, ProjectMark mark) =>
        Path.Combine(Folder, ProjectsFolder, token + Suffix(mark));

    private static string Suffix(ProjectMark mark) => mark == ProjectMark.Expected ? ".expected" : ".done";

    private static InvocationFolder Create(string path, string? sessionId)
    {
        if (!Directory.Exists(path))
        {
            RemoveStale();
        }

        Directory.CreateDirectory(path);
        return new InvocationFolder(path, sessionId);
    }

    private static void RemoveStale()
    {
        if (!Directory.Exists(Root))
        {
            return;
        }

        var stale = Directory.GetDirectories(Root)
            .Where(folder => DateTime.UtcNow - Directory.GetLastWriteTimeUtc(folder) > Stale);
        foreach (var folder in stale)
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
