using System.Diagnostics;
using System.Globalization;
using BatchBuild.Core;
using BatchBuild.Runner;

namespace BatchBuild.Mtp;

/// <summary>
/// The launcher's log: on its output, which dotnet test shows when the app fails (and with
/// <c>--output detailed</c>), and, every line, in <c>&lt;project&gt;.batchbuild.log</c> in the results
/// folder, which stays after any run.
/// </summary>
internal sealed class LauncherLog : IRunLog, IDisposable
{
    private readonly object _gate = new();
    private readonly string _project;
    private readonly StreamWriter? _file;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public LauncherLog(string project, string path)
    {
        _project = project;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            _file = new StreamWriter(path, append: false) { AutoFlush = true };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Out.WriteLine($"BatchBuild {project}: the log file '{path}' cannot be written ({e.Message})");
        }
    }

    public void Say(string text, bool important = true)
    {
        lock (_gate)
        {
            _file?.WriteLine(Stamped(text));
            if (important)
            {
                Console.Out.WriteLine(text);
            }
        }
    }

    public void Report(Diagnostic diagnostic)
    {
        lock (_gate)
        {
            var line = $"{_project}: {diagnostic}";
            _file?.WriteLine(Stamped(line));
            Console.Out.WriteLine(line);
        }
    }

    // A line of the file, after the seconds since the launcher started.
    private string Stamped(string text) =>
        string.Create(CultureInfo.InvariantCulture, $"[{_clock.Elapsed.TotalSeconds,7:0.00} s] {text}");

    public void Dispose()
    {
        lock (_gate)
        {
            _file?.Dispose();
            Console.Out.Flush();
        }
    }
}
