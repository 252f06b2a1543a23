namespace BatchBuild.Core.Api;

/// <summary>
/// What a re-run's join did: <c>joined</c> (another agent of the attempt got there first),
/// <c>reopened</c> (the run's batch takes the re-run's results and closes again) or <c>started</c>
/// (a new batch of the ID), and the open batch the re-run's results go to.
/// </summary>
/// <param name="Status"><c>joined</c>, <c>reopened</c> or <c>started</c>.</param>
/// <param name="Batch">The open batch.</param>
/// <param name="TooOld">Whether a new batch started because the run's batch was older than the maximum batch
/// age.</param>
public sealed record RerunResponse(string Status, BatchDto Batch, bool TooOld = false);
