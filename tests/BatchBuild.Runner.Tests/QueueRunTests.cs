using BatchBuild.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BatchBuild.Runner.Tests;

/// <summary>
/// Agents that lease their test batches from the batch server's queue: the queue work source of a
/// project's run, against a real server on 127.0.0.1 with a SQLite database, on a scripted test
/// platform.
/// </summary>
[CancelAfter(180_000)]
public sealed class QueueRunTests
{
    private const string Key = "bb_runner-test-key";
    private const string Assembly = "/suite/Shop.Tests.dll";
    private static readonly string[] Tests = [.. Enumerable.Range(1, 24).Select(i => $"Shop.Tests.Case{i:D2}")];

    [Test]
    public async Task Two_agents_lease_every_test_batch_of_one_queue_once_between_them(
        CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("batchbuild-queue-tests-").FullName;
        try
        {
            await using var server = await StartServerAsync(Path.Combine(folder, "server.db"));
            var platforms = new[] { new ScriptedPlatform(Assembly, Tests), new ScriptedPlatform(Assembly, Tests) };
            var logs = new[] { new ListLog(), new ListLog() };

            var runs = await Task.WhenAll(Enumerable.Range(0, 2).Select(agent =>
            {
                (string, string)[] properties =
                [
                    ("BatchBuildStrategy", "fixed-size"), ("BatchBuildSize", "2"), ("BatchBuildWorkers", "1"),
                    ("BatchBuildAgentCount", "2"),
                    ("BatchBuildAgentIndex", $"{agent + 1}"),
                    ("BatchBuildDistribution", "queue"),
                    ("BatchBuildServerUrl", server.Url), ("BatchBuildApiKey", Key), ("BatchBuildBatchId", "queue-1"),
                ];
                var options = new ProjectRunOptions(
                    "Shop.Tests",
                    folder,
                    Assembly,
                    null,
                    [.. properties.Select(p => KeyValuePair.Create(p.Item1, (string?)p.Item2))],
                    Path.Combine(folder, "unused.db"));
                var invocation = new RecordingInvocation(Path.Combine(folder, $"workers-{agent}"));
                return new ProjectRun(
                    options,
                    invocation,
                    logs[agent]).RunAsync(_ => platforms[agent], cancellationToken);
            }));

            var ran = platforms
                .Select(platform => platform.Ran
                    .SelectMany(run => run.Batch.Tests)
                    .Select(test => test.FullyQualifiedName)
                    .ToList())
                .ToList();
            Assert.That(
                runs.Select(run => run.Status),
                Is.All.EqualTo(ProjectRunStatus.Ran),
                string.Join(Environment.NewLine, logs.Select(log => log.ToString())));
            Assert.That(
                ran.SelectMany(tests => tests).Order(),
                Is.EqualTo(Tests),
                "each test runs once, on one agent or the other");
            Assert.That(
                logs.SelectMany(log => log.Lines),
                Has.Some.Contains("leases test batches from the queue of 12"));
            Assert.That(logs.SelectMany(log => log.Diagnostics), Is.Empty, "no fallback to a static split");
            Assert.That(runs.Sum(run => run.Counts.Passed), Is.EqualTo(Tests.Length));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<Running> StartServerAsync(string database)
    {
        var (app, problems) = await BatchServer.CreateAsync(["--urls", "http://127.0.0.1:0"], builder =>
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["BatchBuild:Provider"] = "sqlite",
                ["BatchBuild:ConnectionString"] = $"Data Source={database}",
                ["BatchBuild:ApiKeyHashes:0"] = ApiKeys.Hash(Key),
                ["Logging:LogLevel:Default"] = "Warning",
            }));
        Assert.That(problems, Is.Empty);
        await app!.StartAsync();
        var address = app.Services
            .GetRequiredService<IServer>()
            .Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new Running(app, address + "/");
    }

    private sealed class Running(WebApplication app, string url) : IAsyncDisposable
    {
        public string Url => url;

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
