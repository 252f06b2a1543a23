using System.Text.Json;

namespace BatchBuild.Core.Batches;

/// <summary>
/// How a project's run hands work to the end of its <c>dotnet test</c> invocation. <c>dotnet
/// test</c> runs an artifact post-processing step after the last project, also when tests failed,
/// when the folder <c>{temp}/{session ID}</c> exists: it reads every <c>executionComplete.json</c>
/// under it, runs the attachment processor of each data collector named there over the files
/// attached under that collector's URI, prints the resulting attachments and deletes the folder.
/// A project writes one such file per hand-off, in a folder of its own: its close request, filed
/// under <see cref="SessionCollectorUri"/> so that <c>BatchCloseProcessor</c> closes the batch
/// once; and the attachments of its test batches (code coverage, dumps), which the step merges
/// across projects as it would after a plain run.
/// </summary>
public static partial class PostProcessingHandoff
{
    /// <summary>The friendly name of the collector whose processor closes batches.</summary>
    public const string SessionCollector = "BatchBuildSession";

    /// <summary>The URI that close requests are attached under.</summary>
    public const string SessionCollectorUri = "datacollector://BatchBuild/Session/1.0";

    /// <summary>The collector's type.</summary>
    public const string SessionCollectorType =
        "BatchBuild.Collector.BatchBuildSessionCollector, BatchBuild.Collector";

    /// <summary>The assembly that holds the collector and its processor, beside the tasks.</summary>
    public const string CollectorAssembly = "BatchBuild.Collector.dll";

    /// <summary>The name of the file the post-processing step reads.</summary>
    public const string FileName = "executionComplete.json";

    /// <summary>The name of the close request in a hand-off folder.</summary>
    public const string CloseRequestFileName = "close-request.json";

    /// <summary>The folder the step looks in for the invocation <paramref name="sessionId"/>.</summary>
    public static string SessionFolder(string tempPath, string sessionId) =>
        Path.Combine(tempPath, sessionId);

    /// <summary>
    /// A new folder for one hand-off, under <see cref="SessionFolder"/>; only its owner may read
    /// it on Unix (it holds close tokens and webhook URLs).
    /// </summary>
    public static string CreateFolder(string tempPath, string sessionId)
    {
        var folder = Path.Combine(SessionFolder(tempPath, sessionId), $"batchbuild_{Guid.NewGuid():N}");
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(
                folder,
                UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return folder;
    }

    /// <summary>
    /// The close hand-off: the file that makes the step close the batch of the request at
    /// <paramref name="closeRequestFile"/>, with the processor in <paramref name="collectorAssembly"/>.
    /// </summary>
    public static string ForClose(string closeRequestFile, string collectorAssembly) =>
        ToJson(
            [new HandoffAttachments(SessionCollectorUri, SessionCollector, [closeRequestFile])],
            [
                new HandoffCollector(
                    SessionCollectorUri,
                    SessionCollector,
                    SessionCollectorType,
                    Path.GetFullPath(collectorAssembly),
                    HasAttachmentProcessor: true),
            ]);

    /// <summary>
    /// The file that hands <paramref name="attachments"/> of <paramref name="collectors"/> to the
    /// step, in the form vstest.console writes after a run (<c>TestRunCompleteEventArgs</c> in a
    /// <c>TestExecution.Completed</c> message). Every path is written as an absolute <c>file:</c>
    /// URI: vstest reads a bare path back as a relative URI and fails on it.
    /// </summary>
    public static string ToJson(
        IEnumerable<HandoffAttachments> attachments,
        IEnumerable<HandoffCollector> collectors)
    {
        var message = new Message(
            "TestExecution.Completed",
            new Payload(
                IsCanceled: false,
                IsAborted: false,
                [.. attachments.Select(set => new AttachmentSetJson(
                    set.CollectorUri,
                    set.DisplayName,
                    [.. set.Files.Select(file => new AttachmentJson(FileUri(file), Path.GetFileName(file)))]))],
                [.. collectors],
                "00:00:00"));
        return JsonSerializer.Serialize(message, HandoffJson.Default.Message);
    }

    /// <summary>The absolute <c>file:</c> URI of <paramref name="path"/>.</summary>
    public static string FileUri(string path) => new Uri(Path.GetFullPath(path)).AbsoluteUri;
}
