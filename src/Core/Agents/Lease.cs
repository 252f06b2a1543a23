namespace BatchBuild.Core.Agents;

/// <summary>One agent's hold on one test batch.</summary>
/// <param name="Id">The lease's ID.</param>
/// <param name="Agent">The agent that holds it.</param>
/// <param name="Assembly">The assembly of its test batch.</param>
/// <param name="TestBatch">The test batch's index in the queue's plan.</param>
/// <param name="Tests">How many tests the test batch holds.</param>
/// <param name="ExpectedMillis">How long the test batch is expected to take.</param>
/// <param name="LeasedAt">When the agent took it.</param>
/// <param name="Deadline">When it expires unless renewed.</param>
/// <param name="EndedAt">When it was completed or expired.</param>
/// <param name="State">Where it stands.</param>
/// <param name="TakenOverFrom">The agent whose lease of the same test batch expired before this one, if any.</param>
public sealed record Lease(
    string Id,
    string Agent,
    string Assembly,
    int TestBatch,
    int Tests,
    double ExpectedMillis,
    DateTimeOffset LeasedAt,
    DateTimeOffset Deadline,
    DateTimeOffset? EndedAt,
    LeaseState State,
    string? TakenOverFrom);
