namespace BatchBuild.Core.Batches;

/// <summary>
/// Chooses the batch ID of a run: the explicit setting, then <c>BATCHBUILD_BATCH_ID</c>, then
/// <c>APPLITOOLS_BATCH_ID</c>, then the CI run (Azure Pipelines, GitHub Actions), else a new GUID.
/// The CI run's ID leaves out the attempt: every attempt of a run names the same batch, and the
/// store decides, from the job's <see cref="RunAttempt"/>, whether a re-run joins the batch of the
/// run it re-runs or starts a new one of the ID (see <see cref="Rerun"/>).
/// </summary>
public static class BatchIdResolver
{
    /// <summary>The variable that carries a batch ID into a run and into every test.</summary>
    public const string BatchIdVariable = "BATCHBUILD_BATCH_ID";

    /// <summary>The variable that Applitools Eyes SDKs read their batch ID from.</summary>
    public const string ApplitoolsBatchIdVariable = "APPLITOOLS_BATCH_ID";

    /// <summary>Resolves the batch ID from an explicit setting and an environment.</summary>
    /// <param name="configured">The ID set in runsettings or an MSBuild property, already validated.</param>
    /// <param name="environment">Looks up an environment variable; null when it is not set.</param>
    /// <param name="newGuid">Makes a new GUID when nothing else gives an ID.</param>
    public static BatchIdResolution Resolve(BatchId? configured, Func<string, string?> environment, Func<Guid> newGuid)
    {
        var (attempt, problems) = RunAttempt.Resolve(environment);
        var resolution = Choose(configured, environment, newGuid);
        return resolution with { Diagnostics = [.. resolution.Diagnostics, .. problems], Attempt = attempt };
    }

    private static BatchIdResolution Choose(BatchId? configured, Func<string, string?> environment, Func<Guid> newGuid)
    {
        if (configured is { } id)
        {
            return new BatchIdResolution(id, "the BatchId setting", [], RunAttempt.First);
        }

        foreach (var variable in new[] { BatchIdVariable, ApplitoolsBatchIdVariable })
        {
            if (EnvironmentValues.Of(environment, variable) is { } text)
            {
                return FromText(text, $"environment variable {variable}", $"'{text}' is not a batch ID");
            }
        }

        if (EnvironmentValues.Of(environment, "BUILD_BUILDID") is { } buildId)
        {
            return FromText($"azure-{buildId}", $"Azure Pipelines build {buildId}",
                "the Azure Pipelines variable BUILD_BUILDID does not make a batch ID");
        }

        if (EnvironmentValues.Of(environment, "GITHUB_RUN_ID") is { } runId)
        {
            return FromText($"github-{runId}", $"GitHub Actions run {runId}",
                "the GitHub Actions variable GITHUB_RUN_ID does not make a batch ID");
        }

        return new BatchIdResolution(BatchId.Parse(newGuid().ToString("D")), "a new GUID", [], RunAttempt.First);
    }

    private static BatchIdResolution FromText(string text, string origin, string what) =>
        BatchId.TryCreate(text, out var id, out var problem)
            ? new BatchIdResolution(id, origin, [], RunAttempt.First)
            : new BatchIdResolution(null, origin, [new Diagnostic(
                DiagnosticCodes.InvalidBatchId, DiagnosticSeverity.Error, origin,
                $"{what}: {problem}; use {BatchId.Rule}, or set BatchBuildBatchId explicitly")], RunAttempt.First);
}
