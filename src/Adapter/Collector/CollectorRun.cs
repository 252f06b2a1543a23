using System.Collections.Immutable;
using System.Globalization;
using System.Xml.Linq;
using BatchBuild.Core;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Configuration;
using BatchBuild.Core.Running;

namespace BatchBuild.Collector;

/// <summary>
/// Reads what one collector works with from its <c>&lt;Configuration&gt;</c> and the
/// <c>BATCHBUILD_*</c> variables: the settings, the batch ID (resolved as everywhere else) and,
/// when given, the test batch and the results file. On its own, a collector's run is test
/// batch 1 of 1.
/// </summary>
internal static class CollectorRun
{
    /// <summary>Elements of <c>&lt;Configuration&gt;</c> that are not settings: VSTest's and the run state.</summary>
    public static readonly string[] HostElements = ["Framework", "TestBatch", "TestBatchCount", "ResultFile"];

    public const string DefaultStore = ".batchbuild/batchbuild.db";

    public static (RecorderSettings Settings, BatchLifecycleSettings Lifecycle, ImmutableArray<Diagnostic> Diagnostics)
        Read(
        XElement configuration,
        Func<string, string?> environment,
        string workingDirectory)
    {
        var read = SettingsReader.Read(
            SettingsLayer.FromRunSettingsSection(configuration, "data collector configuration", HostElements),
            SettingsLayer.FromEnvironment(SettingsLayer.EnvironmentVariableNames
                .Select(name => KeyValuePair.Create(name, environment(name)))));
        var diagnostics = read.Diagnostics.ToBuilder();

        // A bad setting must not cost the results: report it and carry on with the defaults.
        var settings = read.Settings ?? BatchBuildSettings.Defaults;
        var resolution = BatchIdResolver.Resolve(settings.BatchId, environment, Guid.NewGuid);
        diagnostics.AddRange(resolution.Diagnostics);

        var testBatch = Whole(configuration, "TestBatch") ?? 1;
        return (
            new RecorderSettings(
                resolution.Id ?? BatchId.Parse(Guid.NewGuid().ToString("D")),
                testBatch,
                Math.Max(testBatch, Whole(configuration, "TestBatchCount") ?? 1),
                Path.GetFullPath(settings.StorePath ?? DefaultStore, workingDirectory),
                Text(configuration, "ResultFile"),
                settings.ExportApplitoolsBatchId),
            settings.Lifecycle,
            diagnostics.ToImmutable());
    }

    private static string? Text(XElement configuration, string name) =>
        configuration.Element(name)?.Value.Trim() is { Length: > 0 } text ? text : null;

    private static int? Whole(XElement configuration, string name) =>
        int.TryParse(Text(configuration, name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
        && value > 0
            ? value
            : null;
}
