namespace BatchBuild.Core;

/// <summary>The codes of BatchBuild's diagnostics; docs/diagnostics.md explains each.</summary>
public static class DiagnosticCodes
{
    /// <summary>A setting BatchBuild does not know (a warning, with the known ones listed).</summary>
    public const string UnknownSetting = "BB1001";

    /// <summary>A number that is not one, or out of its range.</summary>
    public const string InvalidNumber = "BB1002";

    /// <summary>An unknown batching strategy type, retry strategy type or execution mode.</summary>
    public const string UnknownStrategy = "BB1003";

    /// <summary>A time limit that is neither an ISO-8601 duration nor a date-time.</summary>
    public const string InvalidTimeLimit = "BB1004";

    /// <summary>A setting the chosen strategy needs is missing.</summary>
    public const string MissingSetting = "BB1005";

    /// <summary>A runsettings document that is not well-formed XML.</summary>
    public const string UnreadableRunSettings = "BB1006";

    /// <summary>A batch ID that breaks the ID rules.</summary>
    public const string InvalidBatchId = "BB1007";

    /// <summary>A value that must be true or false.</summary>
    public const string InvalidBoolean = "BB1008";

    /// <summary>The runsettings file given does not exist.</summary>
    public const string MissingRunSettings = "BB1009";

    /// <summary>The store file cannot be opened or created.</summary>
    public const string StoreUnavailable = "BB2001";

    /// <summary>vstest.console could not list the tests of a project.</summary>
    public const string DiscoveryFailed = "BB3001";

    /// <summary>A test failed.</summary>
    public const string TestFailed = "BB3002";

    /// <summary>A planned test reported no result: its test host crashed or its run was aborted.</summary>
    public const string TestNotRun = "BB3003";

    /// <summary>
    /// The agent index and count do not name an agent: one without the other, not numbers, or an index outside
    /// 1..count.
    /// </summary>
    public const string InvalidAgent = "BB1013";

    /// <summary>The CI's job attempt variable is not a whole number from 1: the job runs as a first attempt.</summary>
    public const string InvalidRunAttempt = "BB1014";

    /// <summary>
    /// A re-run could not re-open its run's batch, which is older than the maximum batch age: its results start a new
    /// batch.
    /// </summary>
    public const string RerunBatchTooOld = "BB1015";

    /// <summary>
    /// The chosen plan is predicted to spend more time starting test batches than running tests:
    /// advice, with the predicted makespan of the plan and of <c>Size=auto</c>; the strategy is kept.
    /// </summary>
    public const string StartsOutweighTests = "BB1016";

    /// <summary>
    /// A batch closed with failed tests, and the close step was asked to fail then
    /// (<c>BatchBuildCloseFailOnFailedTests</c>).
    /// </summary>
    public const string BatchHasFailures = "BB4003";

    /// <summary>A test was running when its test host crashed: it is the suspect, and failed.</summary>
    public const string TestCrashedHost = "BB3010";

    /// <summary>A test was running when a time limit passed: its test host was killed, and it failed.</summary>
    public const string TestTimedOut = "BB3011";

    /// <summary>The run was cancelled.</summary>
    public const string Cancelled = "BB3004";

    /// <summary>A test ran in a test batch it was not planned in.</summary>
    public const string UnplannedTest = "BB3005";

    /// <summary>A time span setting that is not a positive ISO-8601 duration or hh:mm:ss.</summary>
    public const string InvalidTimeSpan = "BB1010";

    /// <summary>A URL setting that is not an absolute http or https URL.</summary>
    public const string InvalidUrl = "BB1011";

    /// <summary>A batch could not be closed (store or server unreachable, rejected, unknown ID).</summary>
    public const string CloseFailed = "BB4001";

    /// <summary>A completion notification could not be delivered.</summary>
    public const string NotificationFailed = "BB4002";

    /// <summary>
    /// The batch server gave up delivering a completion notification to one webhook: every allowed try failed, or it
    /// grew too old.
    /// </summary>
    public const string NotificationGivenUp = "BB4004";

    /// <summary>
    /// The batch server could not record what became of a delivery to a webhook; it may be sent to that webhook again.
    /// </summary>
    public const string DeliveryNotRecorded = "BB4005";

    /// <summary>A runsetting given on the command line after <c>--</c> that is not <c>path=value</c>.</summary>
    public const string InvalidCommandLineRunSetting = "BB1012";

    /// <summary>A logger given with <c>--logger</c> or in the runsettings cannot be found or started.</summary>
    public const string LoggerUnavailable = "BB3009";

    /// <summary>vstest.console could not be started in design mode, or stopped answering.</summary>
    public const string TestPlatformFailed = "BB3008";

    /// <summary>
    /// BatchBuild's launcher for a Microsoft.Testing.Platform test app was started wrongly, or its launch file cannot
    /// be read.
    /// </summary>
    public const string InvalidLaunch = "BB3012";

    /// <summary>
    /// A Microsoft.Testing.Platform test app on a platform older than 2.3, which BatchBuild does not batch (a build
    /// warning).
    /// </summary>
    public const string TestingPlatformTooOld = "BB3013";

    /// <summary>A request to the batch server that is not valid: bad JSON, a missing or wrong field.</summary>
    public const string InvalidRequest = "BB5001";

    /// <summary>A request to the batch server without a valid API key.</summary>
    public const string Unauthorized = "BB5002";

    /// <summary>A request to the batch server larger than it accepts.</summary>
    public const string RequestTooLarge = "BB5003";

    /// <summary>A batch the batch server does not know.</summary>
    public const string UnknownBatch = "BB5004";

    /// <summary>The batch server's configuration is not valid.</summary>
    public const string InvalidServerConfiguration = "BB5005";

    /// <summary>The batch server failed on a request; its log says why.</summary>
    public const string ServerError = "BB5006";

    /// <summary>A request to the batch server for a route or method it does not have.</summary>
    public const string NoSuchRoute = "BB5007";

    /// <summary>A request to the batch server that another site's page sent: refused.</summary>
    public const string CrossSiteRequest = "BB5008";

    /// <summary>A lease asked for by an agent that has not registered its tests with the batch's queue.</summary>
    public const string AgentNotRegistered = "BB5009";

    /// <summary>
    /// A lease renewed or completed that has expired (another agent took its test batch over) or never was.
    /// </summary>
    public const string LeaseLost = "BB5010";

    /// <summary>
    /// A request within the API's limits holding a value the database still refuses as too large
    /// (PostgreSQL's program_limit_exceeded): the client's data, so a 400 that it does not spool.
    /// </summary>
    public const string ValueTooLargeForDatabase = "BB5011";

    /// <summary>
    /// A request to the batch server by a host name that is not one of its <c>AllowedHosts</c> (DNS rebinding):
    /// refused.
    /// </summary>
    public const string HostNotAllowed = "BB5013";

    /// <summary>
    /// The batch server issued no close token when a test project finished: the close then needs the API key in its
    /// environment.
    /// </summary>
    public const string NoCloseToken = "BB5014";
    /// <summary>
    /// A queue registration that would take a batch's agent queues past their limit of tests or test batches (413).
    /// </summary>
    public const string QueueTooLarge = "BB5016";

    /// <summary>
    /// A queue registration that would take the server's agent queues past their limit of tests (413).
    /// </summary>
    public const string QueuesFull = "BB5017";

    /// <summary>
    /// The queue's plan an agent read page by page does not match the plan its registration was answered with.
    /// </summary>
    public const string QueuePlanChanged = "BB5018";

    /// <summary>The batch server could not be reached; results were spooled to send later.</summary>
    public const string ServerUnreachable = "BB5101";

    /// <summary>
    /// The batch server's queue could not be reached: the agent runs its static share of what it had not leased.
    /// </summary>
    public const string QueueFallback = "BB5102";

    /// <summary>
    /// Tests ran on two agents: one's lease had expired and another took its test batch over, or an agent fell back to
    /// its static share.
    /// </summary>
    public const string DuplicateRun = "BB5103";

    /// <summary>
    /// A re-run could not ask the batch server to re-open its run's batch: its results may start a new batch.
    /// </summary>
    public const string RerunNotJoined = "BB5104";

    /// <summary>The embedded store file was damaged: it was moved aside and a new store created.</summary>
    public const string DamagedStore = "BB2002";
}
