namespace BatchBuild.Core.Agents;

/// <summary>How a run's tests are shared among the CI agents that run it.</summary>
public enum DistributionType
{
    /// <summary>Every agent runs every test.</summary>
    None,

    /// <summary>Every agent computes the same plan and runs its share of it.</summary>
    Static,

    /// <summary>Agents lease test batches from the batch server's queue for the batch as they free up.</summary>
    Queue,
}
