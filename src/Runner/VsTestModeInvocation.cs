using BatchBuild.Client;
using BatchBuild.Core;
using BatchBuild.Core.Batches;

namespace BatchBuild.Runner;

/// <summary>
/// A VSTest-mode <c>dotnet test</c> invocation, known by its session ID. The batch closes once,
/// after the last project, in the SDK's artifact post-processing step: each project hands over its
/// close request before its first test batch (see <see cref="PostProcessingHandoff"/>), so that the
/// batch closes also when a project fails or is cancelled. The attachments of the test batches go
/// the same way.
/// </summary>
/// <param name="sessionId">
/// <c>$(VSTestSessionCorrelationId)</c>: shared by all projects of one <c>dotnet test</c>.
/// </param>
/// <param name="artifactsProcessingMode">
/// <c>$(VSTestArtifactsProcessingMode)</c>: <c>collect</c> under <c>dotnet test</c>.
/// </param>
/// <param name="collectorFolder">
/// The folder that holds the session collector, whose processor closes the batch.
/// </param>
/// <param name="log">The project's log.</param>
internal sealed class VsTestModeInvocation(
    string? sessionId, string? artifactsProcessingMode, string collectorFolder, IRunLog log) : IDotnetTestInvocation
{
    private readonly InvocationFolder _folder = InvocationFolder.ForSession(sessionId);

    /// <inheritdoc />
    public Guid Id { get; } = IdOf(sessionId);

    /// <summary>
    /// The ID of the invocation with <paramref name="sessionId"/>, as every task of it derives a new
    /// batch ID from it: the GUID the session ID ends with, else a new one.
    /// </summary>
    public static Guid IdOf(string? sessionId) =>
        sessionId?.Split('_').LastOrDefault() is { } tail && Guid.TryParse(tail, out var guid)
            ? guid
            : Guid.NewGuid();

    /// <inheritdoc />
    public string WorkerSlots => _folder.WorkerSlots;

    // Under dotnet test, which then processes the attachments of all projects once, after the last one.
    private bool CollectsArtifacts =>
        _folder.SessionId is not null
        && string.Equals(artifactsProcessingMode, "collect", StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    public async Task PrepareCloseAsync(ProjectClose close, CancellationToken cancellationToken)
    {
        if (!CollectsArtifacts || _folder.CreateHandoffFolder() is not { } folder)
        {
            log.Say($"BatchBuild {close.Project}: not run by dotnet test, so batch {close.BatchId} stays open; "
                + "close it with the BatchBuildCloseBatch target, or it closes when idle");
            return;
        }

        var token = await CloseTokenAsync(close, cancellationToken).ConfigureAwait(false);
        var request = CloseRequest.From(close.BatchId, close.Project, close.StorePath, close.Lifecycle, token);
        var file = Path.Combine(folder, PostProcessingHandoff.CloseRequestFileName);
        WriteForOwner(file, request.ToJson());
        WriteForOwner(
            Path.Combine(folder, PostProcessingHandoff.FileName),
            PostProcessingHandoff.ForClose(
                file,
                Path.Combine(collectorFolder, PostProcessingHandoff.CollectorAssembly)));
    }

    /// <inheritdoc />
    public Task FinishAsync(ProjectClose close, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Hands the attachments of the test batches (code coverage, dumps) to the post-processing step,
    /// which merges them across projects and lists them, as after a plain run; false outside
    /// <c>dotnet test</c>, where the caller lists them.
    /// </summary>
    public bool HandOver(IReadOnlyList<HandoffAttachments> attachments, IReadOnlyList<HandoffCollector> collectors)
    {
        if (!CollectsArtifacts || _folder.CreateHandoffFolder() is not { } folder)
        {
            return false;
        }

        WriteForOwner(
            Path.Combine(folder, PostProcessingHandoff.FileName),
            PostProcessingHandoff.ToJson(attachments, collectors));
        return true;
    }

    // The close request goes to disk, so it carries a token the server issues instead of the key.
    // Without one, the closing step needs BATCHBUILD_API_KEY in its environment: say so, unless
    // it is there.
    private async Task<string?> CloseTokenAsync(ProjectClose close, CancellationToken cancellationToken)
    {
        if (close.Lifecycle.ServerUrl is not { } server
            || close.Http is not { } http
            || string.IsNullOrEmpty(close.Lifecycle.ApiKey))
        {
            return null;
        }

        var (token, detail) = await new ServerBatchCloser(http, server, close.Lifecycle.ApiKey, TimeSpan.FromSeconds(5))
            .RequestCloseTokenAsync(close.BatchId, cancellationToken).ConfigureAwait(false);
        if (token is null && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("BATCHBUILD_API_KEY")))
        {
            log.Report(Diagnostic.Warning(
                DiagnosticCodes.NoCloseToken,
                $"{close.Project}: the server {Http.Redacted(server)} issued no close token "
                + $"for batch {close.BatchId} ({detail}); the close after the last project needs the API key, "
                + "which is never written to disk: set BATCHBUILD_API_KEY in the environment of dotnet test, "
                + "or the batch stays open until closed with the BatchBuildCloseBatch target or idle"));
        }

        return token;
    }

    // The close request holds no key, but its close token and webhook URLs are the user's: on
    // Unix only the owner may read it.
    private static void WriteForOwner(string path, string text)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        File.Delete(path);
        using var writer = new StreamWriter(path, options);
        writer.Write(text);
    }
}
