using System.Collections.Immutable;

namespace BatchBuild.Core.Configuration;

/// <summary>
/// Reads settings from layers in increasing precedence — defaults, runsettings, MSBuild
/// properties, environment variables — so that a later layer's value wins. Every problem in every
/// layer is reported, not only the first, and not only in the layer that wins.
/// </summary>
public static class SettingsReader
{
    /// <summary>
    /// Reads <paramref name="layers"/>, lowest precedence first, over <see cref="BatchBuildSettings.Defaults"/>.
    /// </summary>
    public static SettingsResult Read(params IEnumerable<SettingsLayer> layers)
    {
        var settings = BatchBuildSettings.Defaults;
        var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
        SettingValue? strategyChoice = null;
        foreach (var layer in layers)
        {
            diagnostics.AddRange(layer.Problems);
            foreach (var value in layer.Values)
            {
                var (applied, problem) = value.Definition.Apply(value.Text, settings);
                if (problem is not null)
                {
                    diagnostics.Add(new Diagnostic(
                        problem.Code, DiagnosticSeverity.Error, value.Setting,
                        $"'{value.Text}' is not allowed; use {problem.Allowed}", value.File, value.Line));
                    continue;
                }

                settings = applied!;
                if (value.Definition.Property == "BatchBuildStrategy")
                {
                    strategyChoice = value;
                }
            }
        }

        if (settings.BatchingStrategy is { Type: BatchingStrategyType.FixedSize, Size: null, AutoSize: false })
        {
            diagnostics.Add(new Diagnostic(
                DiagnosticCodes.MissingSetting,
                DiagnosticSeverity.Error,
                strategyChoice?.Setting ?? "BatchingStrategy/Type",
                "the fixed-size strategy needs a size; set BatchingStrategy/Size in the runsettings, "
                + "the BatchBuildSize property or BATCHBUILD_SIZE to a whole number greater than 0, or auto",
                strategyChoice?.File,
                strategyChoice?.Line ?? 0));
        }

        var all = diagnostics.ToImmutable();
        return new SettingsResult(all.Any(d => d.Severity == DiagnosticSeverity.Error) ? null : settings, all);
    }
}
