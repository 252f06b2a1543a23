namespace BatchBuild.Core.Running;

/// <summary>
/// What a user passed to <c>dotnet test</c> besides a runsettings file, as the SDK hands it to the
/// VSTest target. A design-mode vstest.console takes no command line: all of it goes into the
/// runsettings of each run.
/// </summary>
/// <param name="ResultsDirectory"><c>--results-directory</c>.</param>
/// <param name="TargetFramework">The target framework moniker of the test assembly.</param>
/// <param name="Collect">The data collectors of <c>--collect</c>, by friendly name.</param>
/// <param name="Blame">The <c>--blame*</c> options, or null.</param>
/// <param name="CommandLineRunSettings">Runsettings given after <c>--</c>, such as
/// <c>RunConfiguration.MaxCpuCount=1</c>.</param>
/// <param name="AdapterPaths">Folders to add to <c>TestAdaptersPaths</c>.</param>
public sealed record VsTestOptions(
    string? ResultsDirectory = null,
    string? TargetFramework = null,
    IReadOnlyList<string>? Collect = null,
    BlameOptions? Blame = null,
    IReadOnlyList<string>? CommandLineRunSettings = null,
    IReadOnlyList<string>? AdapterPaths = null);
