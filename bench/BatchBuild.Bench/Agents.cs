using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace BatchBuild.Bench;

/// <summary>
/// Four CI agents on the skewed suite, each a <c>dotnet test</c> of its own copy of the built
/// suite with one worker, all started at once against a batch server on loopback: the queue, the
/// static split by recorded durations, and a count-based split (the static split with no
/// history), side by side. What counts is when each agent finishes: the slowest against the
/// fastest, and the slowest against the whole suite's serial time over four.
/// </summary>
internal static class Agents
{
    private const int Count = 4;
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static async Task RunAsync(string root, string suite, string scratch)
    {
        Console.WriteLine("Building the batch server …");
        await Shell.MustAsync(
            root,
            null,
            "dotnet",
            "build",
            Path.Combine("src", "Server", "BatchBuild.Server.csproj"),
            "-c",
            "Release",
            "-v:quiet");
        var serverDll = Path.Combine(root, "src", "Server", "bin", "Release", "net10.0", "BatchBuild.Server.dll");
        var copies = Enumerable.Range(1, Count)
            .Select(agent => Copy(suite, Path.Combine(scratch, $"agent-{agent}")))
            .ToList();

        // fixed-size test batches of at most 3 s of recorded time; without history, 8 tests each.
        string[] byDuration = ["-p:BatchBuildSize=1000", "-p:BatchBuildDurationMillis=3000"];
        string[] byCount = ["-p:BatchBuildSize=8"];
        var rows = new List<(string Name, Finish Finish)>();
        await using (var history = await Server.StartAsync(serverDll, Path.Combine(scratch, "history.db")))
        {
            // The first run records the durations the others plan from.
            rows.Add((
                "queue, no history yet (8 tests per test batch)",
                await RunAsync(history, copies, "queue", "bench-agents-1", byCount)));
            rows.Add((
                "queue, recorded durations",
                await RunAsync(history, copies, "queue", "bench-agents-2", byDuration)));
            rows.Add((
                "static, recorded durations (longest first to least loaded)",
                await RunAsync(history, copies, "static", "bench-agents-3", byDuration)));
        }

        await using (var empty = await Server.StartAsync(serverDll, Path.Combine(scratch, "empty.db")))
        {
            rows.Add((
                "count-based round robin (static, no history, 8 tests each)",
                await RunAsync(empty, copies, "static", "bench-agents-4", byCount)));
        }

        Console.WriteLine();
        Console.WriteLine($"{Count} agents, each one worker, on the skewed suite (bench/suite), all started at once. "
            + $"Seconds from the start");
        Console.WriteLine("until each agent's last test batch ended (its last lease in queue mode; its exit in a "
            + "static split, where it waits for no one):");
        Console.WriteLine($"{"split",-62} {"agents: work done",-26} {"slowest/fastest",16} {"agents: exit",-26}");
        foreach (var (name, finish) in rows)
        {
            Console.WriteLine(string.Create(
                Invariant,
                $"{name,-62} {Seconds(finish.Work),-26} {finish.Work.Max() / finish.Work.Min(),15:0.00}x "
                    + $"{Seconds(finish.Exit),-26}"));
        }

        var queue = rows[1].Finish.Work;
        Console.WriteLine();
        Console.WriteLine(string.Create(
            Invariant,
            $"queue with recorded durations: the slowest agent finished {queue.Max() / queue.Min():0.00} x as late as "
                + $"the fastest; target 1.10 x: {(queue.Max() <= 1.10 * queue.Min() ? "met" : "NOT met")}"));
    }

    private static string Seconds(double[] seconds) =>
        string.Join(" ", seconds.Select(s => s.ToString("0.0", Invariant).PadLeft(5)));

    // When each agent's work was done, and when it exited, in seconds from the start.
    private sealed record Finish(double[] Work, double[] Exit);

    // One run: every agent at once, each with its index.
    private static async Task<Finish> RunAsync(
        Server server,
        IReadOnlyList<string> copies,
        string distribution,
        string batch,
        string[] cut)
    {
        Console.WriteLine($"Running: {Count} agents, {distribution} …");
        var start = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var agents = copies.Select((copy, i) => Task.Run(async () =>
        {
            await Shell.MustAsync(
                copy,
                null,
                "dotnet",
                [
                    "test",
                    "Bench.sln",
                    "--no-build",
                    "-c",
                    "Release",
                    "-p:BatchBuildStrategy=fixed-size",
                    .. cut,
                    "-p:BatchBuildWorkers=1",
                $"-p:BatchBuildServerUrl={server.Url}",
                $"-p:BatchBuildBatchId={batch}",
                $"-p:BatchBuildDistribution={distribution}",
                $"-p:BatchBuildAgentIndex={i + 1}", $"-p:BatchBuildAgentCount={Count}"]);
            return clock.Elapsed.TotalSeconds;
        })).ToList();
        var exit = await Task.WhenAll(agents);
        var work = exit;
        if (distribution == "queue")
        {
            var ends = await server.LeaseEndsAsync(batch);
            work = [.. Enumerable.Range(
                1,
                Count).Select(agent => (ends.GetValueOrDefault(agent, start) - start).TotalSeconds)];
        }

        await server.CloseAsync(batch);
        return new Finish(work, exit);
    }

    private static string Copy(string from, string to)
    {
        foreach (var directory in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, directory)));
        }

        foreach (var file in Directory.EnumerateFiles(
            from,
            "*",
            SearchOption.AllDirectories).Where(file => !file.Contains(
                $"{Path.DirectorySeparatorChar}TestResults{Path.DirectorySeparatorChar}",
                StringComparison.Ordinal)))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)), overwrite: true);
        }

        return to;
    }

    // The batch server as a process of its own, on a free loopback port, open to anyone on it.
    private sealed class Server : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly HttpClient _http;

        private Server(Process process, string url)
        {
            (_process, Url) = (process, url);
            _http = new HttpClient { BaseAddress = new Uri(url + "/") };
        }

        public string Url { get; }

        public static async Task<Server> StartAsync(string dll, string database)
        {
            using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
            listener.Start();
            var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            var start = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.Environment["BatchBuild__AllowAnonymous"] = "true";
            start.Environment["AllowedHosts"] = "127.0.0.1";
            start.Environment["BatchBuild__ConnectionString"] = database;
            start.Environment["Logging__LogLevel__Default"] = "Warning";
            var process = Process.Start(start)!;
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var server = new Server(process, $"http://127.0.0.1:{port}");
            for (var attempt = 0; attempt < 100; attempt++)
            {
                try
                {
                    using var ready = await server._http.GetAsync("ready");
                    if (ready.IsSuccessStatusCode)
                    {
                        return server;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }

                await Task.Delay(200);
            }

            throw new BenchmarkFailed("the batch server did not become ready within 20 s");
        }

        // When each agent's last lease of the batch ended, by agent index.
        public async Task<IReadOnlyDictionary<int, DateTimeOffset>> LeaseEndsAsync(string batch)
        {
            var leases = await _http.GetStringAsync($"api/v1/batches/{batch}/leases");
            using var document = System.Text.Json.JsonDocument.Parse(leases);
            return document.RootElement.GetProperty("leases").EnumerateArray()
                .Where(lease => lease.GetProperty("state").GetString() == "Completed")
                .GroupBy(lease => int.Parse(lease.GetProperty("agent").GetString()!.Split('@')[0], Invariant))
                .ToDictionary(
                    group => group.Key,
                    group => group.Max(lease => lease.GetProperty("endedAt").GetDateTimeOffset()));
        }

        public async Task CloseAsync(string batch) =>
            (await _http.PostAsync($"api/v1/batches/{batch}/close", null)).Dispose();

        public async ValueTask DisposeAsync()
        {
            _http.Dispose();
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            _process.Dispose();
        }
    }
}
