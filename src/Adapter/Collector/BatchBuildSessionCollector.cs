using System.Xml;
using BatchBuild.Core.Batches;
using BatchBuild.Store;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.DataCollection;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Logging;

namespace BatchBuild.Collector;

/// <summary>
/// Names <see cref="BatchCloseProcessor"/> to the SDK's artifact post-processing step at the end
/// of a <c>dotnet test</c> invocation. It runs in no test run: each project's task hands its close
/// request to the step under this collector's URI (see <see cref="PostProcessingHandoff"/>), and
/// the step runs the processor once, after the last project, also when tests failed.
/// </summary>
[DataCollectorFriendlyName(PostProcessingHandoff.SessionCollector)]
[DataCollectorTypeUri(PostProcessingHandoff.SessionCollectorUri)]
[DataCollectorAttachmentProcessor(typeof(BatchCloseProcessor))]
public sealed class BatchBuildSessionCollector : DataCollector
{
    /// <inheritdoc />
    public override void Initialize(
        XmlElement? configurationElement,
        DataCollectionEvents events,
        DataCollectionSink dataSink,
        DataCollectionLogger logger,
        DataCollectionEnvironmentContext? environmentContext)
    {
    }
}

/// <summary>
/// Closes the batches of a <c>dotnet test</c> invocation in its artifact post-processing step and
/// sends their completion notifications. Anywhere else (a client that asks vstest to process
/// attachments) it passes the requests on untouched.
/// </summary>
public sealed class BatchCloseProcessor : IDataCollectorAttachmentProcessor
{
    /// <inheritdoc />
    public bool SupportsIncrementalProcessing => true;

    /// <inheritdoc />
    public IEnumerable<Uri> GetExtensionUris() => [new Uri(PostProcessingHandoff.SessionCollectorUri)];

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
