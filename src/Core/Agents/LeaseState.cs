namespace BatchBuild.Core.Agents;

/// <summary>Where a lease stands.</summary>
public enum LeaseState
{
    /// <summary>Its agent runs it and renews its deadline.</summary>
    Running,

    /// <summary>Its agent ran it to the end.</summary>
    Completed,

    /// <summary>Its deadline passed: its test batch went back to the queue.</summary>
    Expired,
}
