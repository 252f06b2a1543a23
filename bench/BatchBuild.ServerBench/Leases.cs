using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using BatchBuild.Core.Api;

namespace BatchBuild.ServerBench;

/// <summary>
/// Lease latency on loopback: eight agents register a queue of 20,000 test batches in one batch,
/// then lease and complete test batches at a fixed total rate, each lease sent on schedule
/// whether or not earlier ones have been answered (an open loop, so a slow answer cannot hide
/// the ones queued behind it). Prints the latency percentiles of the lease requests.
/// </summary>
internal static class Leases
{
    public const int Rate = 200;
    private const int Agents = 8;
    private const int TestBatches = 20_000;
    private static readonly TimeSpan Length = TimeSpan.FromSeconds(30);

    public static async Task<string> MeasureAsync(HttpClient http)
    {
        const string Batch = "api/v1/batches/bench-leases";
        QueuedTestBatchDto[] plan = [.. Enumerable.Range(
            1,
            TestBatches).Select(i => new QueuedTestBatchDto([$"Bench.Queue.Test_{i:00000}"], 1000 + i % 997))];
        for (var agent = 1; agent <= Agents; agent++)
        {
            using var registered = await http.PostAsJsonAsync(
                $"{Batch}/queue",
                new QueueRegistration("Bench.Queue", $"{agent}@bench", plan),
                ApiJson.Default.QueueRegistration);
            registered.EnsureSuccessStatusCode();
        }

        var latencies = new List<double>();
        var failures = 0;
        var pending = new List<Task>();
        var clock = Stopwatch.StartNew();
        var count = (int)(Rate * Length.TotalSeconds);
        for (var i = 0; i < count; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / Rate);
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }

            var agent = $"{i % Agents + 1}@bench";
            pending.Add(Task.Run(async () =>
            {
                var sent = Stopwatch.StartNew();
                using var leased = await http.PostAsJsonAsync(
                    $"{Batch}/leases",
                    new LeaseRequest("Bench.Queue", agent),
                    ApiJson.Default.LeaseRequest);
                var reply = await leased.Content.ReadFromJsonAsync(ApiJson.Default.LeaseResponse);
                var millis = sent.Elapsed.TotalMilliseconds;
                lock (latencies)
                {
                    latencies.Add(millis);
                    failures += reply?.Lease is null ? 1 : 0;
                }

                if (reply?.Lease is { } lease)
                {
                    using var completed = await http.PostAsJsonAsync(
                        $"{Batch}/leases/{lease.Id}/complete",
                        new LeaseAgent(agent),
                        ApiJson.Default.LeaseAgent);
                }
            }));
        }

        await Task.WhenAll(pending);
        var rate = count / clock.Elapsed.TotalSeconds;
        latencies.Sort();
        double At(double share) =>
            latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(share * latencies.Count) - 1)];
        var p99 = At(0.99);
        var met = p99 < 20 && rate >= Rate * 0.95 && failures == 0;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"leases: {count} from {Agents} agents at {rate:0} leases/s (each then completed) on a queue of "
                + $"{TestBatches} test batches: p50 {At(0.50):0.0} ms, p99 {p99:0.0} ms, max {latencies[^1]:0.0} ms; "
                + $"{failures} without a lease; target p99 < 20 ms at {Rate} leases/s: {(met ? "met" : "NOT met")}");
    }
}
