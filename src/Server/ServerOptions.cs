using BatchBuild.Core;
using BatchBuild.Core.Agents;

namespace BatchBuild.Server;

/// <summary>
/// The batch server's settings: the <c>BatchBuild</c> section of its configuration
/// (appsettings.json, <c>BatchBuild__*</c> environment variables, <c>--BatchBuild:*</c> arguments).
/// </summary>
public sealed class ServerOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "BatchBuild";

    /// <summary><c>sqlite</c> (default) or <c>postgres</c>.</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>The SQLite file, or the PostgreSQL connection string.</summary>
    public string ConnectionString { get; set; } = "batchbuild-server.db";

    /// <summary>The accepted API keys' hashes, <c>sha256:</c> and 64 hex digits each (see <c>hash-key</c>).</summary>
    public List<string> ApiKeyHashes { get; set; } = [];

    /// <summary>Whether requests without a key are accepted at all: only for a trusted network.</summary>
    public bool AllowAnonymous { get; set; }

    /// <summary>Whether reading (the dashboard, batches, durations) needs no key; writing always does.</summary>
    public bool OpenReads { get; set; }

    /// <summary>A batch with no report for this long closes as idle.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromHours(3);

    /// <summary>A batch open this long closes as too old.</summary>
    public TimeSpan MaxBatchAge { get; set; } = TimeSpan.FromDays(3);

    /// <summary>Whether batches the server starts send a completion notification.</summary>
    public bool NotifyOnCompletion { get; set; } = true;

    /// <summary>Where completion notifications are posted.</summary>
    public List<string> WebhookUrls { get; set; } = [];

    /// <summary>How often idle and old batches are looked for.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the notification outbox is looked at when nothing wakes it.</summary>
    public TimeSpan OutboxInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The wait after a delivery's first failed try to one webhook; it doubles per failure of that delivery, up to
    /// an hour.
    /// </summary>
    public TimeSpan NotificationRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The longest one try of a webhook delivery waits for the webhook's answer; then it counts as failed.
    /// </summary>
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many deliveries to one webhook may be on their way at once; each webhook has its own.</summary>
    public int WebhookConcurrency { get; set; } = 4;

    /// <summary>How many tries a delivery to one webhook gets before it is given up.</summary>
    public int WebhookMaxAttempts { get; set; } = 10;

    /// <summary>
    /// How long after the batch closed a delivery may still be tried; a later try would not be made, so it is given
    /// up.
    /// </summary>
    public TimeSpan WebhookMaxAge { get; set; } = TimeSpan.FromDays(1);

    /// <summary>The longest <c>/ready</c> waits for a write to the store before it answers 503.</summary>
    public TimeSpan ReadyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The largest request body accepted, in bytes.</summary>
    public long MaxRequestBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// How long an agent's lease of a test batch lasts unless the agent renews it (it does every third of this);
    /// then another agent takes the test batch over.
    /// </summary>
    public TimeSpan LeaseTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The longest <see cref="WebhookTimeout"/>: a try that ran longer could be taken for one whose
    /// server died and be tried a second time at once.
    /// </summary>
    public static readonly TimeSpan MaxWebhookTimeout = BatchBuild.Store.SqlBatchStore.MaxDeliveryTime;

    /// <summary>The most deliveries to one webhook at once.</summary>
    public const int MaxWebhookConcurrency = 64;

    /// <summary>The most tries of one delivery.</summary>
    public const int MaxWebhookAttempts = 1000;

    /// <summary>The longest lifetime a setting may give a batch, lease or retry: a year.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(365);

    /// <summary>The longest interval or wait a setting may give a timer: a day.</summary>
    public static readonly TimeSpan MaxInterval = TimeSpan.FromDays(1);

    /// <summary>
    /// The most tests one batch's agent queues hold, all its assemblies together; a registration past it is refused
    /// (413, BB5016).
    /// </summary>
    public long MaxQueuedTestsPerBatch { get; set; } = QueueLimits.DefaultMaxTestsPerBatch;

    /// <summary>
    /// The most test batches one batch's agent queues hold; a registration past it is refused (413, BB5016).
    /// </summary>
    public long MaxQueuedTestBatchesPerBatch { get; set; } = QueueLimits.DefaultMaxTestBatchesPerBatch;

    /// <summary>
    /// The most tests all agent queues on the server hold together; a registration past it is refused (413,
    /// BB5017).
    /// </summary>
    public long MaxQueuedTests { get; set; } = QueueLimits.DefaultMaxTestsPerServer;

    /// <summary>Every problem with these settings, each with its fix; empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Provider is not ("sqlite" or "postgres"))
        {
            problems.Add(
                $"{DiagnosticCodes.InvalidServerConfiguration}: BatchBuild:Provider is '{Provider}'; use sqlite or "
                + "postgres");
        }

        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            problems.Add(
                $"{DiagnosticCodes.InvalidServerConfiguration}: BatchBuild:ConnectionString is empty; give the SQLite "
                + "file or the PostgreSQL connection string");
        }

        for (var i = 0; i < ApiKeyHashes.Count; i++)
        {
            if (!ApiKeys.TryParseHash(ApiKeyHashes[i], out _))
            {
                problems.Add(
                    $"{DiagnosticCodes.InvalidServerConfiguration}: BatchBuild:ApiKeyHashes:{i} is not 'sha256:' and "
                    + "64 hex digits; make one with 'BatchBuild.Server hash-key'");
            }
        }

        if (ApiKeyHashes.Count == 0 && !AllowAnonymous)
        {
            problems.Add(
                $"{DiagnosticCodes.InvalidServerConfiguration}: no API key is configured; add "
                + "BatchBuild:ApiKeyHashes:0 (make a key with 'BatchBuild.Server new-key'), or set "
                + "BatchBuild:AllowAnonymous=true on a trusted network");
        }

        // Spans are added to the time now (a lease's end, a token's expiry) or wait in a timer,
        // so each has a ceiling: beyond it a date overflows or a timer refuses the wait, and every
        // request that meets it would fail instead of the start.
        foreach (var (name, value, ceiling) in new[]
        {
            ("IdleTimeout", IdleTimeout, MaxLifetime),
            ("MaxBatchAge", MaxBatchAge, MaxLifetime),
            ("LeaseTimeout", LeaseTimeout, MaxLifetime),
            ("NotificationRetryDelay", NotificationRetryDelay, MaxLifetime),
            ("WebhookMaxAge", WebhookMaxAge, MaxLifetime),
            ("SweepInterval", SweepInterval, MaxInterval),
            ("OutboxInterval", OutboxInterval, MaxInterval),
            ("ReadyTimeout", ReadyTimeout, MaxInterval),
        })
        {
            if (value <= TimeSpan.Zero || value > ceiling)
            {
                problems.Add(
                    $"{DiagnosticCodes.InvalidServerConfiguration}: BatchBuild:{name} is {value}; use a positive time "
                    + $"span up to {ceiling} (d.hh:mm:ss), such as 00:30:00");
            }
        }

        for (var i = 0; i < WebhookUrls.Count; i++)
        {
            if (!Uri.TryCreate(WebhookUrls[i], UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                problems.Add(
                    $"{DiagnosticCodes.InvalidServerConfiguration}: BatchBuild:WebhookUrls:{i} is not an absolute http "
                    + "or https URL");
            }
        }

        if (WebhookTimeout <= TimeSpan.Zero || WebhookTimeout > MaxWebhookTimeout)
        {
            problems.Add(
                $"{DiagnosticCodes.InvalidServerConfiguration}: BatchBuild:WebhookTimeout is {WebhookTimeout}; use a "
                + $"time span above zero and at most {MaxWebhookTimeout}, such as 00:00:10");
        }

        if (WebhookConcurrency is < 1 or > MaxWebhookConcurrency)
        {
            problems.Add(
                $"{DiagnosticCodes.InvalidServerConfiguration}: BatchBuild:WebhookConcurrency is {WebhookConcurrency}; "
                + $"use 1 to {MaxWebhookConcurrency} deliveries at once per webhook");
        }

        if (WebhookMaxAttempts is < 1 or > MaxWebhookAttempts)
        {
            problems.Add(
                $"{DiagnosticCodes.InvalidServerConfiguration}: BatchBuild:WebhookMaxAttempts is {WebhookMaxAttempts}; "
                + $"use 1 to {MaxWebhookAttempts} tries per delivery");
        }

        foreach (var (name, value) in new[]
        {
            ("MaxQueuedTestsPerBatch", MaxQueuedTestsPerBatch),
            ("MaxQueuedTestBatchesPerBatch", MaxQueuedTestBatchesPerBatch),
            ("MaxQueuedTests", MaxQueuedTests),
        })
        {
            // A queue's counts go on the wire as 32-bit numbers.
            if (value is < 1 or > int.MaxValue)
            {
                problems.Add(
                    $"{DiagnosticCodes.InvalidServerConfiguration}: BatchBuild:{name} is {value}; use a number from 1 "
                    + $"to {int.MaxValue}");
            }
        }

        if (MaxQueuedTestsPerBatch > MaxQueuedTests)
        {
            problems.Add(
                $"{DiagnosticCodes.InvalidServerConfiguration}: BatchBuild:MaxQueuedTestsPerBatch "
                + $"({MaxQueuedTestsPerBatch}) is more than BatchBuild:MaxQueuedTests ({MaxQueuedTests}), the server's "
                + "limit; lower it, or raise MaxQueuedTests");
        }

        if (MaxRequestBytes < 1024)
        {
            problems.Add(
                $"{DiagnosticCodes.InvalidServerConfiguration}: BatchBuild:MaxRequestBytes is {MaxRequestBytes}; use "
                + "1024 or more");
        }

        return problems;
    }
}
