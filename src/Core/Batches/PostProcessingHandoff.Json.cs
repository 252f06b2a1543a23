namespace BatchBuild.Core.Batches;

// The hand-off file's records, in the shape vstest.console writes after a run.
public static partial class PostProcessingHandoff
{
    internal sealed record Message(string MessageType, Payload Payload);

    internal sealed record Payload(
        bool IsCanceled,
        bool IsAborted,
        IReadOnlyList<AttachmentSetJson> AttachmentSets,
        IReadOnlyList<HandoffCollector> InvokedDataCollectors,
        string ElapsedTimeInRunningTests);

    internal sealed record AttachmentSetJson(
        string Uri,
        string DisplayName,
        IReadOnlyList<AttachmentJson> Attachments);

    internal sealed record AttachmentJson(string Uri, string Description);
}
