namespace BatchBuild.Core.Batches;

/// <summary>Why a batch was closed.</summary>
public enum CloseReason
{
    /// <summary>By the <c>CloseBatch</c> task or an API call.</summary>
    Explicit,

    /// <summary>No test reported for longer than the idle timeout.</summary>
    Idle,

    /// <summary>Open for longer than the maximum batch age.</summary>
    Age,
}
