using System.Text.Json;
using BatchBuild.Client;
using BatchBuild.Core;
using BatchBuild.Core.Batches;
using BatchBuild.Lifecycle;
using BatchBuild.Store;

namespace BatchBuild.Collector;

/// <summary>
/// Closes what the close requests of one invocation name — each batch once, however many projects
/// asked — writing to <c>output</c> what the build log would show.
/// </summary>
internal static class SessionClose
{
    public static async Task RunAsync(
        IEnumerable<string> requestFiles,
        TextWriter output,
        Func<string, string?> environment,
        CancellationToken cancellationToken)
    {
        var requests = new List<CloseRequest>();
        foreach (var file in requestFiles)
        {
            try
            {
                var json = await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false);
                requests.Add(CloseRequest.FromJson(json));
            }
            catch (JsonException e)
            {
                var unread = Diagnostic.Warning(
                    DiagnosticCodes.CloseFailed,
                    $"the close request '{file}' cannot be read ({e.Message}); "
                    + "its batch stays open until it is closed or expires");
                await output.WriteLineAsync(unread.ToString()).ConfigureAwait(false);
            }
        }

        foreach (var request in CloseRequest.Distinct(requests))
        {
            var lifecycle = request.LifecycleIn(environment);
            void Report(Diagnostic diagnostic) => output.WriteLine(diagnostic.ToString());

            using var http = Http.CreateClient(lifecycle.Proxy);
            try
            {
                var tokens = request.CloseToken is { } token
                    ? new Dictionary<string, string> { [request.BatchId] = token }
                    : [];
                await new BatchCloser(lifecycle, request.StorePath, http, Report, environment) { CloseTokens = tokens }
                    .CloseAsync([BatchId.Parse(request.BatchId)], cancellationToken).ConfigureAwait(false);
            }
            catch (StoreException e)
            {
                Report(e.Diagnostic with { Severity = DiagnosticSeverity.Warning });
            }
        }

        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
