using System.Diagnostics;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Client.Interfaces;

namespace BatchBuild.Tasks;

/// <summary>
/// Starts the test hosts of a run for vstest.console, as vstest would, so that BatchBuild knows
/// the process and can kill it when a time limit passes; its error output goes to the run's log,
/// as vstest's own launcher reports it when a test host crashes.
/// </summary>
internal sealed class TestHostLauncher(TestHostLauncher.ILog log) : ITestHostLauncher2, IDisposable
{
    private readonly List<Process> _hosts = [];

    /// <summary>Where the test host's error output goes.</summary>
    internal interface ILog
    {
        void HostError(string line);
    }

    public bool IsDebug => false;

    public int LaunchTestHost(TestProcessStartInfo defaultTestHostStartInfo) =>
        LaunchTestHost(defaultTestHostStartInfo, CancellationToken.None);

    public int LaunchTestHost(TestProcessStartInfo defaultTestHostStartInfo, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(
            defaultTestHostStartInfo.FileName!,
            defaultTestHostStartInfo.Arguments ?? string.Empty)
        {
            WorkingDirectory = defaultTestHostStartInfo.WorkingDirectory ?? string.Empty,
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        var variables = defaultTestHostStartInfo.EnvironmentVariables ?? new Dictionary<string, string?>();
        foreach (var (name, value) in variables)
        {
            start.Environment[name] = value;
        }

        var host = new Process { StartInfo = start };
        host.ErrorDataReceived += (_, line) =>
        {
            if (!string.IsNullOrWhiteSpace(line.Data))
            {
                log.HostError(line.Data);
            }
        };
        host.OutputDataReceived += (_, _) => { };
        host.Start();
        host.BeginErrorReadLine();
        host.BeginOutputReadLine();
        lock (_hosts)
        {
            _hosts.Add(host);
        }

        return host.Id;
    }

    public bool AttachDebuggerToProcess(int pid) => false;

    public bool AttachDebuggerToProcess(int pid, CancellationToken cancellationToken) => false;

    /// <summary>Kills the test hosts this launcher started, with their child processes.</summary>
    public void Kill()
    {
        lock (_hosts)
        {
            foreach (var host in _hosts)
            {
                try
                {
                    host.Kill(entireProcessTree: true);
                }
                catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                    // It has already exited.
                }
            }
        }
    }

    public void Dispose()
    {
        lock (_hosts)
        {
            foreach (var host in _hosts)
            {
                host.Dispose();
            }
        }
    }
}
