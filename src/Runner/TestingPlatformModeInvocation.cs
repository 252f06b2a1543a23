using BatchBuild.Client;
using BatchBuild.Core;
using BatchBuild.Lifecycle;
using BatchBuild.Store;

namespace BatchBuild.Runner;

/// <summary>
/// A Microsoft.Testing.Platform-mode <c>dotnet test</c> invocation, known by the folder the build
/// entered every project in before <c>dotnet test</c> started any. Each launcher marks its project
/// done when it ends; the last one closes the batch.
/// </summary>
/// <param name="folder">
/// The invocation's folder, as the launch file names it; null when the build could not make it.
/// </param>
/// <param name="token">The project's name in the folder.</param>
/// <param name="log">The project's log.</param>
internal sealed class TestingPlatformModeInvocation(InvocationFolder? folder, string token, IRunLog log)
    : IDotnetTestInvocation
{
    /// <inheritdoc />
    public Guid Id { get; } = folder?.Id ?? Guid.NewGuid();

    /// <summary>
    /// The invocation's folder; when the build could not make one, a folder of this launcher's own,
    /// which holds its worker slots and its runs' files.
    /// </summary>
    public InvocationFolder Folder { get; } = folder ?? InvocationFolder.ForSession(null);

    /// <inheritdoc />
    public string WorkerSlots => Folder.WorkerSlots;

    /// <inheritdoc />
    public Task PrepareCloseAsync(ProjectClose close, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public async Task FinishAsync(ProjectClose close, CancellationToken cancellationToken)
    {
        if (folder is null)
        {
            log.Report(Diagnostic.Warning(
                DiagnosticCodes.CloseFailed,
                $"{close.Project}: the projects of this dotnet test could not be counted, "
                + $"so batch {close.BatchId} stays open; "
                + "close it with the BatchBuildCloseBatch target, or it closes when idle"));
            return;
        }

        if (!folder.Finish(token))
        {
            return;
        }

        using var http = Http.CreateClient(close.Lifecycle.Proxy);
        try
        {
            var closer = new BatchCloser(
                close.Lifecycle,
                close.StorePath,
                http,
                log.Report,
                Environment.GetEnvironmentVariable);
            await closer.CloseAsync([close.BatchId], cancellationToken).ConfigureAwait(false);
        }
        catch (StoreException e)
        {
            log.Report(e.Diagnostic with { Severity = DiagnosticSeverity.Warning });
        }
    }
}
