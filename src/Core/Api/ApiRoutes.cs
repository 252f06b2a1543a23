using BatchBuild.Core.Batches;

namespace BatchBuild.Core.Api;

/// <summary>
/// The batch server's routes: the templates the server maps, and the paths its clients call,
/// built for a batch ID (and lease) with each escaped as one path segment. A path is relative to
/// the server's URL (no leading <c>/</c>), so a server behind a path prefix keeps it.
/// </summary>
public static class ApiRoutes
{
    /// <summary>The liveness probe.</summary>
    public const string Health = "/health";

    /// <summary>The readiness probe: the store takes writes.</summary>
    public const string Ready = "/ready";

    /// <summary>The versioned API's root.</summary>
    public const string Root = "/api/v1";

    /// <summary>Test results are reported here (POST).</summary>
    public const string Results = Root + "/results";

    /// <summary>The list of batches (GET).</summary>
    public const string Batches = Root + "/batches";

    /// <summary>A batch ID's latest batch (GET).</summary>
    public const string Batch = Batches + "/{id}";

    /// <summary>One batch of an ID, by its sequence number (GET).</summary>
    public const string BatchSequence = Batch + "/{sequence:int}";

    /// <summary>A page of one batch's results (GET).</summary>
    public const string BatchResults = BatchSequence + "/results";

    /// <summary>A page of one batch's test batch timeline (GET).</summary>
    public const string BatchTimeline = BatchSequence + "/timeline";

    /// <summary>The completion notifications of one batch (GET).</summary>
    public const string BatchNotifications = BatchSequence + "/notifications";

    /// <summary>Closes a batch ID's open batch (POST).</summary>
    public const string Close = Batch + "/close";

    /// <summary>Issues a close token for a batch ID (POST).</summary>
    public const string CloseToken = Batch + "/close-token";

    /// <summary>An agent's plan of an assembly's tests joins the batch's queue (POST).</summary>
    public const string Queue = Batch + "/queue";

    /// <summary>A page of the queue's plan (POST).</summary>
    public const string QueuePlan = Queue + "/plan";

    /// <summary>Leases the next test batch (POST); the leases of the batch (GET).</summary>
    public const string Leases = Batch + "/leases";

    /// <summary>Renews a lease (POST).</summary>
    public const string LeaseHeartbeat = Leases + "/{lease}/heartbeat";

    /// <summary>Completes a lease (POST).</summary>
    public const string LeaseComplete = Leases + "/{lease}/complete";

    /// <summary>A re-run of a CI job joins its run's batch (POST).</summary>
    public const string Rerun = Batch + "/rerun";

    /// <summary>The recorded durations of tests (POST).</summary>
    public const string Durations = Root + "/durations";

    /// <summary>What test batches and listings cost beside their tests is recorded here (POST).</summary>
    public const string StartCosts = Root + "/start-costs";

    /// <summary>The recorded start costs of assemblies (POST).</summary>
    public const string StartCostsQuery = StartCosts + "/query";

    /// <summary>The recent runs of one test (GET).</summary>
    public const string TestRuns = Root + "/tests/runs";

    /// <summary>The completion notifications of every batch (GET).</summary>
    public const string Notifications = Root + "/notifications";

    /// <summary>What the visual-testing close's path starts with, before the batch ID.</summary>
    public const string EyesClosePrefix = "/api/sessions/batches/";

    /// <summary>What the visual-testing close's path ends with, after the batch ID (any case).</summary>
    public const string EyesCloseSuffix = "/close/bypointerid";

    /// <summary>
    /// The visual-testing close (DELETE): the ID may span several segments, since the Eyes SDKs
    /// do not encode a <c>/</c> in it.
    /// </summary>
    public const string EyesClose = EyesClosePrefix + "{**id}";

    /// <summary>The path that reports results.</summary>
    public static string ResultsPath => Relative(Results);

    /// <summary>The path that reads recorded durations.</summary>
    public static string DurationsPath => Relative(Durations);

    /// <summary>The path that records start costs.</summary>
    public static string StartCostsPath => Relative(StartCosts);

    /// <summary>The path that reads recorded start costs.</summary>
    public static string StartCostsQueryPath => Relative(StartCostsQuery);

    /// <summary>The path of <paramref name="id"/>'s latest batch.</summary>
    public static string BatchPath(BatchId id) => Fill(Batch, id);

    /// <summary>The path that issues a close token for <paramref name="id"/>.</summary>
    public static string CloseTokenPath(BatchId id) => Fill(CloseToken, id);

    /// <summary>The path that joins a re-run to <paramref name="id"/>'s batch.</summary>
    public static string RerunPath(BatchId id) => Fill(Rerun, id);

    /// <summary>The path that registers an agent's plan with <paramref name="id"/>'s queue.</summary>
    public static string QueuePath(BatchId id) => Fill(Queue, id);

    /// <summary>The path that reads a page of <paramref name="id"/>'s queue's plan.</summary>
    public static string QueuePlanPath(BatchId id) => Fill(QueuePlan, id);

    /// <summary>The path that leases the next test batch of <paramref name="id"/>.</summary>
    public static string LeasesPath(BatchId id) => Fill(Leases, id);

    /// <summary>The path that renews <paramref name="lease"/> in <paramref name="id"/>.</summary>
    public static string LeaseHeartbeatPath(BatchId id, string lease) => Fill(LeaseHeartbeat, id, lease);

    /// <summary>The path that completes <paramref name="lease"/> in <paramref name="id"/>.</summary>
    public static string LeaseCompletePath(BatchId id, string lease) => Fill(LeaseComplete, id, lease);

    /// <summary>The visual-testing close's path for <paramref name="id"/>, the ID escaped whole.</summary>
    public static string EyesClosePath(BatchId id) =>
        Relative(EyesClosePrefix + Uri.EscapeDataString(id.Value) + EyesCloseSuffix);

    private static string Fill(string template, BatchId id, string? lease = null)
    {
        // The ID goes in first: escaped, it holds no brace, so it can never be taken for {lease}.
        var path = template.Replace("{id}", Uri.EscapeDataString(id.Value), StringComparison.Ordinal);
        return Relative(lease is null
            ? path
            : path.Replace("{lease}", Uri.EscapeDataString(lease), StringComparison.Ordinal));
    }

    private static string Relative(string route) => route.TrimStart('/');
}
