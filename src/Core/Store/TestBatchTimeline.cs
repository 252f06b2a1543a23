namespace BatchBuild.Core.Store;

/// <summary>One page of a batch's timeline: the runs of its test batches.</summary>
/// <param name="Spans">The runs on this page, by when they finished, then by agent, assembly, test batch and
/// attempt.</param>
/// <param name="Total">How many runs the batch holds, on all pages.</param>
/// <param name="Page">The 1-based page.</param>
/// <param name="PageSize">Runs per page.</param>
public sealed record TestBatchTimeline(IReadOnlyList<TestBatchSpan> Spans, int Total, int Page, int PageSize)
{
    /// <summary>The page size when none is asked for.</summary>
    public const int DefaultPageSize = 200;

    /// <summary>The largest page served: see <see cref="Api.AnswerBounds.TimelinePage"/>.</summary>
    public const int MaxPageSize = 200;
}
