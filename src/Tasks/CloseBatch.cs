using BatchBuild.Client;
using BatchBuild.Core;
using BatchBuild.Core.Batches;
using BatchBuild.Lifecycle;
using BatchBuild.Store;
using Microsoft.Build.Framework;
using MSBuildTask = Microsoft.Build.Utilities.Task;

namespace BatchBuild.Tasks;

/// <summary>
/// Closes one or several batches — in the embedded store, or on a server with the request
/// visual-testing batch-close clients send — and sends the completion notifications. A failed
/// close is a <c>BB4001</c> warning unless <see cref="FailOnError"/> is set: closing never loses
/// the test results, and by default never breaks the build.
/// </summary>
public sealed class CloseBatch : MSBuildTask, ICancelableTask
{
    private readonly CancellationTokenSource _cancel = new();

    /// <summary>The batch IDs to close; empty to close the batch of this <c>dotnet test</c> invocation.</summary>
    public string[] BatchIds { get; set; } = [];

    /// <summary>The server to close on (<c>BatchBuildServerUrl</c>); empty for the embedded store.</summary>
    public string? ServerUrl { get; set; }

    /// <summary>The server's API key (<c>BatchBuildApiKey</c>); never logged.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The proxy URL (<c>BatchBuildProxy</c>); user and password may be in it.</summary>
    public string? Proxy { get; set; }

    /// <summary>Seconds each HTTP attempt may take; 30 by default.</summary>
    public int Timeout { get; set; } = 30;

    /// <summary>Whether a failed close fails the build; false by default (a warning).</summary>
    public bool FailOnError { get; set; }

    /// <summary>
    /// Whether a batch that closed with failed tests fails the build, as the last step of a pipeline
    /// whose agents each saw only their own tests.
    /// </summary>
    public bool FailOnFailedTests { get; set; }

    /// <summary>
    /// The BatchBuild MSBuild properties, each an item named after the property with its value in
    /// <c>Value</c>.
    /// </summary>
    public ITaskItem[] Settings { get; set; } = [];

    /// <summary>The user's runsettings file, if any.</summary>
    public string? RunSettingsFile { get; set; }

    /// <summary>The project folder: relative store and summary paths are resolved from it.</summary>
    [Required]
    public string ProjectDirectory { get; set; } = string.Empty;

    /// <summary>The store to use when no setting names one.</summary>
    [Required]
    public string DefaultStorePath { get; set; } = string.Empty;

    /// <summary><c>$(VSTestSessionCorrelationId)</c>, from which the invocation's batch ID is derived.</summary>
    public string? SessionId { get; set; }

    /// <inheritdoc />
    public void Cancel() => _cancel.Cancel();

    /// <inheritdoc />
    public override bool Execute()
    {
        // The task's own inputs win over the settings, so that a pipeline step can name a server;
        // they are validated as the settings are.
        KeyValuePair<string, string?>[] inputs =
        [
            new("BatchBuildServerUrl", ServerUrl),
            new("BatchBuildApiKey", ApiKey),
            new("BatchBuildProxy", Proxy),
        ];
        if (TaskSettings.Read(Log, Settings, RunSettingsFile, out _, inputs) is not { } settings)
        {
            return false;
        }

        var lifecycle = settings.Lifecycle;
        var ids = new List<BatchId>();
        var texts = BatchIds.SelectMany(i =>
            i.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        foreach (var text in texts)
        {
            if (!BatchId.TryCreate(text, out var id, out var problem))
            {
                Log.Report(new Diagnostic(
                    DiagnosticCodes.InvalidBatchId,
                    DiagnosticSeverity.Error,
                    "BatchIds",
                    $"'{text}' is not a batch ID ({problem}); use {BatchId.Rule}"));
                return false;
            }

            ids.Add(id);
        }

        if (ids.Count == 0)
        {
            if (TaskSettings.ResolveBatchId(Log, settings, SessionId) is not { } resolved)
            {
                return false;
            }

            ids.Add(resolved);
        }

        var failed = false;
        void Report(Diagnostic diagnostic)
        {
            if (FailOnError && diagnostic.Code == DiagnosticCodes.CloseFailed)
            {
                diagnostic = diagnostic with { Severity = DiagnosticSeverity.Error };
            }

            failed |= diagnostic.Severity == DiagnosticSeverity.Error;
            Log.Report(diagnostic);
        }

        var storePath = Path.GetFullPath(settings.StorePath ?? DefaultStorePath, ProjectDirectory);
        if (lifecycle.SummaryPath is { } summary)
        {
            lifecycle = lifecycle with { SummaryPath = Path.GetFullPath(summary, ProjectDirectory) };
        }

        using var http = Http.CreateClient(lifecycle.Proxy);
        var closer = new BatchCloser(lifecycle, storePath, http, Report, Environment.GetEnvironmentVariable)
        {
            AttemptTimeout = TimeSpan.FromSeconds(Math.Max(1, Timeout)),
            Counted = !FailOnFailedTests ? null : (id, counts) =>
            {
                if (counts.Failed > 0)
                {
                    Report(Diagnostic.Error(
                        DiagnosticCodes.BatchHasFailures,
                        $"batch {id} has {counts.Failed} failed of {counts.Total} tests "
                        + "(BatchBuildCloseFailOnFailedTests)"));
                }
            },
        };
        try
        {
            closer.CloseAsync(ids, _cancel.Token).GetAwaiter().GetResult();
        }
        catch (StoreException e)
        {
            Report(e.Diagnostic with
            {
                Severity = FailOnError ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
            });
        }
        catch (OperationCanceledException)
        {
            Log.Report(Diagnostic.Warning(DiagnosticCodes.Cancelled, "closing the batch was cancelled"));
            return false;
        }

        return !failed && !Log.HasLoggedErrors;
    }
}
