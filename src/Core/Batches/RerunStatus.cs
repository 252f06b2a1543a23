namespace BatchBuild.Core.Batches;

/// <summary>What a re-run's join did to the batches of its ID.</summary>
public enum RerunStatus
{
    /// <summary>
    /// Another agent or project of the same attempt got there first: the batch it joined or started is open.
    /// </summary>
    Joined,

    /// <summary>
    /// The run's batch is open again (or, if it was still open, marked) for the re-run: its next close sends the
    /// completion again.
    /// </summary>
    Reopened,

    /// <summary>
    /// A new batch of the ID started: the re-run is one of every job, there was no batch to join, or the batch is too
    /// old.
    /// </summary>
    Started,
}
