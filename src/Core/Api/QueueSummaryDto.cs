namespace BatchBuild.Core.Api;

/// <summary>
/// The answer to a queue registration: what the queue's plan for the assembly holds now, with
/// this agent's tests in it, and how long a lease lasts unless renewed. The plan itself is read
/// page by page (<see cref="QueuePlanRequest"/>): its first <see cref="Tests"/> tests are the
/// plan this answer counts, since a plan only grows, and <see cref="Fingerprint"/> is theirs.
/// </summary>
/// <param name="Assembly">The assembly the queue holds the tests of.</param>
/// <param name="TestBatches">How many test batches the plan holds.</param>
/// <param name="Tests">How many tests the plan holds.</param>
/// <param name="LeaseMillis">How long a lease lasts unless its agent renews it.</param>
/// <param name="Fingerprint">The plan's <see cref="Agents.QueuePlanFingerprint"/>.</param>
public sealed record QueueSummaryDto(
    string Assembly,
    int TestBatches,
    int Tests,
    double LeaseMillis,
    string Fingerprint);
