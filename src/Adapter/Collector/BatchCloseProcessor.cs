using System.Xml;
using BatchBuild.Core.Batches;
using BatchBuild.Store;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.DataCollection;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Logging;

namespace BatchBuild.Collector;

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
        if (!Environment.GetCommandLineArgs().Any(a =>
            a.Equals("--artifactsProcessingMode-postprocess", StringComparison.OrdinalIgnoreCase)))
        {
            return attachments;
        }

        NativeLibraryResolver.Install(typeof(BatchCloseProcessor).Assembly);
        var files = attachments
            .SelectMany(set => set.Attachments)
            .Select(a => a.Uri.LocalPath)
            .Where(File.Exists)
            .ToList();

        // The step's console is dotnet test's: what is written here follows the build's summary.
        // A failed close is a warning there and never changes the exit code of the test run.
        await SessionClose.RunAsync(files, Console.Out, Environment.GetEnvironmentVariable, cancellationToken)
            .ConfigureAwait(false);

        // Nothing is left in the results folder, which pipelines upload: the requests were read.
        foreach (var file in files)
        {
            File.Delete(file);
            if (Path.GetDirectoryName(file) is { } folder
                && Directory.Exists(folder)
                && !Directory.EnumerateFileSystemEntries(folder).Any())
            {
                Directory.Delete(folder);
            }
        }

        return [];
    }
}
