using System.Diagnostics;

namespace BatchBuild.EndToEnd.Tests;

/// <summary>Runs the real <c>dotnet</c> CLI as a user would, with a bounded time.</summary>
internal static class Dotnet
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(6);

    public static CommandResult Run(
        string workingDirectory,
        IReadOnlyDictionary<string, string>? environment,
        params string[] arguments) =>
        Run(workingDirectory, environment, CancellationToken.None, arguments);

    /// <summary>Runs <c>dotnet</c>; when <paramref name="kill"/> is cancelled first, kills it with all its children, as
    /// a CI agent that dies would.</summary>
    public static CommandResult Run(
        string workingDirectory,
        IReadOnlyDictionary<string, string>? environment,
        CancellationToken kill,
        params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // This test runs under `dotnet test` itself: its MSBuild and test platform variables
        // must not leak into the run under test.
        foreach (var name in start.Environment.Keys.Where(IsInherited).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var killer = kill.Register(() => process.Kill(entireProcessTree: true));
        if (!process.WaitForExit(Limit))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"dotnet {string.Join(' ', arguments)} took longer than {Limit}:\n{output}");
        }

        process.WaitForExit();
        var result = new CommandResult(process.ExitCode, output.ToString(), clock.Elapsed);
        TestContext.Progress.WriteLine($"dotnet {string.Join(' ', arguments)}: exit code {result.ExitCode} in "
            + $"{result.Elapsed.TotalSeconds:0.0} s");
        return result;
    }

    private static bool IsInherited(string name) =>
        name.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("BATCHBUILD_", StringComparison.OrdinalIgnoreCase)
        || name is "DOTNET_HOST_PATH" or "APPLITOOLS_BATCH_ID" or "BUILD_BUILDID" or "GITHUB_RUN_ID"
            or "TESTINGPLATFORM_DEFAULT_HANG_TIMEOUT";

    private static void Append(System.Text.StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }
}
