namespace BatchBuild.Core.Agents;

/// <summary>What became of a lease its agent completed.</summary>
public enum CompletionStatus
{
    /// <summary>The lease was the test batch's only run.</summary>
    Completed,

    /// <summary>The lease had expired and another agent leased the test batch again: its tests ran twice.</summary>
    Duplicate,

    /// <summary>No such lease, or another agent's.</summary>
    Unknown,
}
