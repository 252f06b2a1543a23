using System.Collections.Concurrent;
using BatchBuild.Core;
using BatchBuild.Core.Running;
using BatchBuild.Core.Store;

namespace BatchBuild.Store;

/// <summary>
/// Collects the results of one test batch as the logger or the collector sees them, and at the
/// end records them in the store and writes the test batch's results file. A store that cannot
/// be reached costs a warning, never the results: the file carries them. The store is the
/// embedded file at the settings' store path unless <paramref name="openStore"/> opens another.
/// </summary>
public sealed class TestBatchRecorder(
    RecorderSettings settings,
    string agent,
    Func<DateTimeOffset> clock,
    Func<IResultStore>? openStore = null)
{
    private readonly ConcurrentQueue<TestBatchResult> _results = new();
    private string? _source;

    /// <summary>Adds one result of a test of <paramref name="source"/>.</summary>
    public void Add(string source, TestBatchResult result)
    {
        _source ??= source;
        _results.Enqueue(result);
    }

    /// <summary>
    /// Records the results and writes the results file; returns its path and, when the store
    /// could not take the results or had to be replaced because it was damaged, a warning with a
    /// BB code (the first matters more: the results are then only in the file).
    /// </summary>
    public (string ResultFile, Diagnostic? Warning) Finish()
    {
        var results = new TestBatchResults(
            settings.BatchId.Value,
            settings.TestBatch,
            _source ?? string.Empty,
            Recorded: true,
            null,
            [.. _results],
            TestBatchResults.NewAttempt());
        Diagnostic? warning = null;
        if (settings.StorePath is null)
        {
            results = results with { Recorded = false };
        }
        else if (results.Tests.Count > 0)
        {
            try
            {
                using var store = openStore?.Invoke()
                    ?? Stores.Open(settings.StorePath, report: diagnostic => warning ??= diagnostic);
                store.RecordResultsAsync(results.PerTest(settings.BatchId, clock(), agent)).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is StoreException
                or IOException
                or Microsoft.Data.Sqlite.SqliteException
                or UnauthorizedAccessException)
            {
                // Not recording matters more than a store replaced before it: this warning wins.
                warning = Diagnostic.Warning(
                    DiagnosticCodes.StoreUnavailable,
                    $"the results of test batch {settings.TestBatch} were not recorded in '{settings.StorePath}' "
                    + $"({e.Message}); they are kept in the results file");
                results = results with { Recorded = false, RecordError = warning.ToString() };
            }
        }

        var file = settings.ResultFile
            ?? Path.Combine(
                Path.GetTempPath(),
                $"batchbuild-{settings.BatchId.FileName}-{settings.TestBatch}-"
                + $"{Environment.ProcessId}-{Guid.NewGuid():N}.json");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        File.WriteAllText(file, results.ToJson());
        return (file, warning);
    }
}
