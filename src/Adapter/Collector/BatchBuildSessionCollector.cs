using System.Xml;
using BatchBuild.Core;
using BatchBuild.Store;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.DataCollection;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Logging;

namespace BatchBuild.Collector;

/// <summary>
/// Marks one run of each test project for the close at the end of the <c>dotnet test</c>
/// invocation: it attaches the project's close request, and the SDK's artifact post-processing
/// hands every project's request to <see cref="BatchCloseProcessor"/> once, after the last project,
/// also when tests failed. BatchBuild's task enables it on one test batch per project; it does not
/// record anything.
/// </summary>
[DataCollectorFriendlyName(FriendlyName)]
[DataCollectorTypeUri(TypeUri)]
[DataCollectorAttachmentProcessor(typeof(BatchCloseProcessor))]
public sealed class BatchBuildSessionCollector : DataCollector
{
    /// <summary>The name the task enables it by.</summary>
    public const string FriendlyName = "BatchBuildSession";

    /// <summary>The URI its attachments are filed under.</summary>
    public const string TypeUri = "datacollector://BatchBuild/Session/1.0";

    /// <inheritdoc />
    public override void Initialize(
        XmlElement? configurationElement,
        DataCollectionEvents events,
        DataCollectionSink dataSink,
        DataCollectionLogger logger,
        DataCollectionEnvironmentContext? environmentContext)
    {
        var request = configurationElement?["Request"]?.InnerText.Trim();
        events.SessionEnd += (_, _) =>
        {
            if (environmentContext is null || string.IsNullOrEmpty(request))
            {
                return;
            }

            if (!File.Exists(request))
            {
                logger.LogWarning(
                    environmentContext.SessionDataCollectionContext,
                    Diagnostic.Warning(DiagnosticCodes.CloseFailed, $"the close request '{request}' is missing; the batch stays open until it is closed or expires").ToString());
                return;
            }

            // A copy: the SDK moves attachments into its session folder and deletes them there.
            var copy = Path.Combine(Path.GetTempPath(), $"batchbuild-close-{Guid.NewGuid():N}.json");
            File.Copy(request, copy);
            dataSink.SendFileAsync(environmentContext.SessionDataCollectionContext, copy, deleteFile: true);
        };
    }
}

/// <summary>
/// Closes the batches of a <c>dotnet test</c> invocation in its artifact post-processing step and
/// sends their completion notifications. Called at the end of every project's run too, where it
/// passes the requests on untouched.
/// </summary>
public sealed class BatchCloseProcessor : IDataCollectorAttachmentProcessor
{
    /// <inheritdoc />
    public bool SupportsIncrementalProcessing => true;

    /// <inheritdoc />
    public IEnumerable<Uri> GetExtensionUris() => [new Uri(BatchBuildSessionCollector.TypeUri)];

    /// <inheritdoc />
    public async Task<ICollection<AttachmentSet>> ProcessAttachmentSetsAsync(
        XmlElement configurationElement,
        ICollection<AttachmentSet> attachments,
        IProgress<int> progressReporter,
        IMessageLogger logger,
        CancellationToken cancellationToken)
    {
        if (!Environment.GetCommandLineArgs().Any(a => a.Equals("--artifactsProcessingMode-postprocess", StringComparison.OrdinalIgnoreCase)))
        {
            return attachments;
        }

        NativeLibraryResolver.Install(typeof(BatchCloseProcessor).Assembly);
        var files = attachments.SelectMany(set => set.Attachments).Select(a => a.Uri.LocalPath).Where(File.Exists).ToList();

        // The step's console is dotnet test's: what is written here follows the build's summary.
        // A failed close is a warning there and never changes the exit code of the test run.
        await SessionClose.RunAsync(files, Console.Out, Environment.GetEnvironmentVariable, cancellationToken).ConfigureAwait(false);

        // Nothing is left in the results folder, which pipelines upload: the requests were read.
        foreach (var file in files)
        {
            File.Delete(file);
            if (Path.GetDirectoryName(file) is { } folder && Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any())
            {
                Directory.Delete(folder);
            }
        }

        return [];
    }
}
