namespace BatchBuild.Core.Batches;

/// <summary>Whether a batch still takes tests.</summary>
public enum BatchState
{
    /// <summary>Open: tests that report with its ID join it.</summary>
    Active,

    /// <summary>Closed: its counts are frozen; tests that report with its ID start a new batch.</summary>
    Closed,
}
