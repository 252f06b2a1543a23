using System.Collections.Immutable;
using System.Globalization;
using System.Xml.Linq;
using BatchBuild.Core;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Configuration;

namespace BatchBuild.Collector;

/// <summary>
/// What one collector instance works with: the settings from its <c>&lt;Configuration&gt;</c>
/// and <c>BATCHBUILD_*</c> variables, the batch ID, and — when BatchBuild's MSBuild task planned
/// the run — which test batch this is and where its results go. Run on its own, a collector is
/// test batch 1 of 1.
/// </summary>
internal sealed record CollectorRun(
    BatchId BatchId,
    int TestBatch,
    int TestBatchCount,
    string StorePath,
    string? ResultFile,
    bool ExportApplitoolsBatchId,
    ImmutableArray<Diagnostic> Diagnostics)
{
    public const string DefaultStore = ".batchbuild/batchbuild.db";

    public static CollectorRun Read(XElement configuration, Func<string, string?> environment, string workingDirectory)
    {
        var read = SettingsReader.Read(
            SettingsLayer.FromRunSettingsSection(configuration, "data collector configuration", BatchBuildCollector.RunStateElements),
            SettingsLayer.FromEnvironment(EnvironmentPairs(environment)));
        var diagnostics = read.Diagnostics.ToBuilder();

        // A bad setting must not cost the results: report it and carry on with the defaults.
        var settings = read.Settings ?? BatchBuildSettings.Defaults;
        var resolution = BatchIdResolver.Resolve(settings.BatchId, environment, Guid.NewGuid);
        diagnostics.AddRange(resolution.Diagnostics);
        var batchId = resolution.Id ?? BatchId.Parse(Guid.NewGuid().ToString("D"));

        var testBatch = Whole(configuration, "TestBatch") ?? 1;
        return new CollectorRun(
            batchId,
            testBatch,
            Math.Max(testBatch, Whole(configuration, "TestBatchCount") ?? 1),
            Path.GetFullPath(settings.StorePath ?? DefaultStore, workingDirectory),
            Text(configuration, "ResultFile"),
            settings.ExportApplitoolsBatchId,
            diagnostics.ToImmutable());
    }

    public IReadOnlyList<KeyValuePair<string, string>> EnvironmentVariables() =>
        TestEnvironment.Variables(BatchId, TestBatch, TestBatchCount, ExportApplitoolsBatchId);

    // Only the variables a setting can come from; FromEnvironment passes over the rest.
    private static IEnumerable<KeyValuePair<string, string?>> EnvironmentPairs(Func<string, string?> environment) =>
        SettingsLayer.EnvironmentVariableNames.Select(name => KeyValuePair.Create(name, environment(name)));

    private static string? Text(XElement configuration, string name) =>
        configuration.Element(name)?.Value.Trim() is { Length: > 0 } text ? text : null;

    private static int? Whole(XElement configuration, string name) =>
        int.TryParse(Text(configuration, name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : null;
}
