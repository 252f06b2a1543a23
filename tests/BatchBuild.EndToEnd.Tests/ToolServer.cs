using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace BatchBuild.EndToEnd.Tests;

/// <summary>
/// The batch server as its README installs it: packed by <c>dotnet pack</c>, installed with
/// <c>dotnet tool install</c> (once per test run), and started as <c>batchbuild-server</c> on a
/// free loopback port with an API key and the given settings.
/// </summary>
internal sealed class ToolServer : IAsyncDisposable
{
    public const string Key = "bb_agents-end-to-end-key";

    private static readonly Lazy<string> Tools = new(Install);
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log;
    private readonly HttpClient _http;

    private ToolServer(Process process, ConcurrentQueue<string> log, Uri url)
    {
        (_process, _log, Url) = (process, log, url);
        _http = new HttpClient { BaseAddress = url };
        _http.DefaultRequestHeaders.Add(BatchBuild.Client.Http.ApiKeyHeader, Key);
    }

    public Uri Url { get; }

    /// <summary>Starts the installed server in <paramref name="root"/> and waits until it is ready.</summary>
    public static async Task<ToolServer> StartAsync(string root, params (string Name, string Value)[] settings)
    {
        Directory.CreateDirectory(root);
        var port = LoopbackServer.FreePort();
        var start = new ProcessStartInfo(
            Path.Combine(Tools.Value, "batchbuild-server"),
            ["--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["BatchBuild__ApiKeyHashes__0"] = BatchBuild.Server.ApiKeys.Hash(Key);
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (name, value) in settings)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        var log = new ConcurrentQueue<string>();
        process.OutputDataReceived += (_, line) => log.Enqueue(line.Data ?? string.Empty);
        process.ErrorDataReceived += (_, line) => log.Enqueue(line.Data ?? string.Empty);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ToolServer(process, log, new Uri($"http://127.0.0.1:{port}/"));
        await server.ReadyAsync();
        return server;
    }

    /// <summary>The MSBuild properties that send an agent's results to this server, in batch <paramref
    /// name="id"/>.</summary>
    public string[] AgentSettings(string id) =>
        [
            $"-p:BatchBuildServerUrl={Url.AbsoluteUri.TrimEnd('/')}",
            $"-p:BatchBuildApiKey={Key}",
            $"-p:BatchBuildBatchId={id}"];

    /// <summary>The leases of batch <paramref name="id"/> once <paramref name="until"/> holds of them, read through the
    /// API every 100 ms.</summary>
    public async Task<IReadOnlyList<JsonElement>> WaitForLeasesAsync(
        string id,
        Func<IReadOnlyList<JsonElement>, bool> until,
        TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        IReadOnlyList<JsonElement> leases = [];
        while (clock.Elapsed < limit)
        {
            using var response = await _http.GetAsync($"api/v1/batches/{Uri.EscapeDataString(id)}/leases");
            if (response.IsSuccessStatusCode)
            {
                using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                leases =
                [
                    .. document.RootElement.GetProperty("leases").EnumerateArray().Select(lease => lease.Clone()),
                ];
                if (until(leases))
                {
                    return leases;
                }
            }

            await Task.Delay(100);
        }

        Assert.Fail($"the leases of batch {id} did not come to what was expected within {limit}: "
            + $"{JsonSerializer.Serialize(leases)}");
        return leases;
    }

    /// <summary>Stops the server, as a machine that goes away would.</summary>
    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static string Install()
    {
        var root = Path.Combine(LocalPackage.Scratch, $"server-tool-{Guid.NewGuid():N}");
        var feed = Path.Combine(root, "feed");
        var pack = Dotnet.Run(
            Repository.Root,
            null,
            "pack",
            Path.Combine("src", "Server", "BatchBuild.Server.csproj"),
            "-c",
            "Release",
            "-o",
            feed,
            $"-p:Version={LocalPackage.Version}");
        Assert.That(pack.ExitCode, Is.Zero, pack.ToString());
        var tools = Path.Combine(root, "tools");
        var install = Dotnet.Run(
            root,
            null,
            "tool",
            "install",
            "--tool-path",
            tools,
            "--add-source",
            feed,
            "--version",
            LocalPackage.Version,
            "BatchBuild.Server");
        Assert.That(install.ExitCode, Is.Zero, install.ToString());
        return tools;
    }

    private async Task ReadyAsync()
    {
        for (var attempt = 0; attempt < 150; attempt++)
        {
            try
            {
                using var ready = await _http.GetAsync("ready");
                if (ready.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        Assert.Fail($"the server installed as a tool did not become ready within 30 s:\n{string.Join('\n', _log)}");
    }
}
