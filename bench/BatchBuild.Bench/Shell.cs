using System.Diagnostics;
using System.Text;

namespace BatchBuild.Bench;

/// <summary>Runs commands of the benchmark and times them.</summary>
internal static class Shell
{
    public static async Task<Ran> RunAsync(
        string directory,
        IReadOnlyDictionary<string, string>? environment,
        string file,
        params string[] arguments)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var output = new StringBuilder();
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await process.WaitForExitAsync();
        clock.Stop();
        lock (output)
        {
            return new Ran(process.ExitCode, output.ToString(), clock.Elapsed);
        }
    }

    /// <summary>Runs a command that must succeed; stops the benchmark with its output when it does not.</summary>
    public static async Task<Ran> MustAsync(
        string directory,
        IReadOnlyDictionary<string, string>? environment,
        string file,
        params string[] arguments)
    {
        var ran = await RunAsync(directory, environment, file, arguments);
        if (ran.ExitCode != 0)
        {
            throw new BenchmarkFailed($"{file} {string.Join(' ', arguments)} exited with "
                + $"{ran.ExitCode}:{Environment.NewLine}{ran.Output}");
        }

        return ran;
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }
}
