using System.Xml;
using BatchBuild.Core.Batches;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.DataCollection;

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
