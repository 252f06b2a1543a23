namespace BatchBuild.Core.Batches;

/// <summary>What closing a batch did.</summary>
public enum CloseStatus
{
    /// <summary>This call closed the batch: it, and only it, notifies.</summary>
    Closed,

    /// <summary>The batch had already been closed (by another call, or because it expired).</summary>
    AlreadyClosed,

    /// <summary>No batch has this ID.</summary>
    Unknown,
}
