using System.Net.Http.Json;
using BatchBuild.Core.Api;
using BatchBuild.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace BatchBuild.EndToEnd.Tests;

/// <summary>
/// Real <c>dotnet test</c> runs of the sample solution against the batch server, started by the
/// test on 127.0.0.1: results go to the server and the batch is closed there; when the server is
/// away the run still passes, and the results reach it later.
/// </summary>
public sealed class ServerRunTests
{
    private const string Key = "bb_end-to-end-key";

    private static async Task<(WebApplication App, HttpClient Client)> StartServerAsync(int port, string database)
    {
        var (app, problems) = await BatchServer.CreateAsync(
            ["--urls", $"http://127.0.0.1:{port}"],
            builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["BatchBuild:ConnectionString"] = database,
                ["BatchBuild:ApiKeyHashes:0"] = ApiKeys.Hash(Key),
                ["Logging:LogLevel:Default"] = "Warning",
            }));
        Assert.That(problems, Is.Empty);
        await app!.StartAsync();
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        client.DefaultRequestHeaders.Add("X-BatchBuild-Api-Key", Key);
        return (app, client);
    }

    [Test]
    public async Task A_solution_records_on_the_server_and_closes_its_batch_there_leaving_the_key_in_no_file()
    {
        // A free-text ID, as visual-testing users set them, that URLs and file names trip on.
        const string Id = "Nightly 42/é #日本?+%";
        var started = DateTime.UtcNow.AddSeconds(-1);
        var port = LoopbackServer.FreePort();
        var (app, client) = await StartServerAsync(port, Path.Combine(LocalPackage.Scratch, "server", "shared.db"));
        await using (app)
        using (client)
        {
            var run = SampleRun.Start(
                "Samples.sln",
                [
                    "-p:BatchBuildStrategy=class-name",
                    $"-p:BatchBuildServerUrl=http://127.0.0.1:{port}",
                    $"-p:BatchBuildApiKey={Key}"],
                new Dictionary<string, string> { ["BATCHBUILD_BATCH_ID"] = Id });

            Assert.That(run.Command.ExitCode, Is.Zero, run.Command.ToString());
            Assert.That(run.Command.Output, Does.Contain($"BatchBuild: batch {Id} closed on http://127.0.0.1:{port}/"));
            Assert.That(run.Command.Output, Does.Not.Contain(Key));
            Assert.That(
                run.Records.Select(r => r.BatchId).Distinct(),
                Is.EqualTo([Id]),
                "every test saw the ID exactly");
            var detail = (await client.GetFromJsonAsync(
                $"api/v1/batches/{Uri.EscapeDataString(Id)}/1/results",
                ApiJson.Default.BatchResultsDto))!;
            Assert.That(
                (
                    detail.Batch.BatchId,
                    detail.Batch.State,
                    detail.Batch.Reason,
                    detail.Batch.Counts.Passed,
                    detail.Batch.Counts.Failed),
                Is.EqualTo((Id, "closed", (string?)"explicit", 29, 0)));
            Assert.That(
                detail.Results.Select(r => r.Name).Distinct().Count(),
                Is.EqualTo(29),
                "one result per test: each data row and theory row has its own");
            var timeline = (await client.GetFromJsonAsync(
                $"api/v1/batches/{Uri.EscapeDataString(Id)}/1/timeline",
                ApiJson.Default.TimelineDto))!;
            Assert.That(
                timeline.TestBatches.Select(s => s.Assembly).Distinct(),
                Is.EquivalentTo(new[] { "Samples.NUnit", "Samples.MSTest", "Samples.XUnit" }));
            Assert.That(File.Exists(run.Store), Is.False, "nothing was recorded in the embedded store");
            Assert.That(
                FilesHolding(Key, started),
                Is.Empty,
                "the key is in no file: not the solution, obj, bin, TestResults or the temp folder");
        }
    }

    // Every file of the samples (solution, obj, bin, TestResults) and every file of the temp
    // folder written since the run started, that holds the text.
    private static List<string> FilesHolding(string text, DateTime since)
    {
        var needle = System.Text.Encoding.UTF8.GetBytes(text);
        var files = new DirectoryInfo(LocalPackage.Samples).EnumerateFiles("*", SearchOption.AllDirectories)
            .Concat(new DirectoryInfo(Path.GetTempPath()).EnumerateFiles(
                "*",
                new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true })
                .Where(file => file.LastWriteTimeUtc >= since && file.Length < 64 * 1024 * 1024))
            .Where(file => RegularFiles.CanHold(file, needle.Length))
            .Select(file => file.FullName)
            .Distinct();
        var holding = new List<string>();
        foreach (var file in files)
        {
            try
            {
                if (File.ReadAllBytes(file).AsSpan().IndexOf(needle) >= 0)
                {
                    holding.Add(file);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone or locked meanwhile: not one of this run's files.
            }
        }

        return holding;
    }

    [Test]
    public async Task A_run_while_the_server_is_away_passes_and_its_results_reach_the_server_later()
    {
        var port = LoopbackServer.FreePort();
        var store = Path.Combine(LocalPackage.Scratch, "stores", "server-away", "batchbuild.db");
        string[] server = [
            $"-p:BatchBuildServerUrl=http://127.0.0.1:{port}",
            $"-p:BatchBuildApiKey={Key}",
            $"-p:BatchBuildStore={store}"];

        var run = SampleRun.Start(
            "Samples.NUnit/Samples.NUnit.csproj",
            ["-p:BatchBuildStrategy=class-name", "-p:BatchBuildDontCloseBatch=true", .. server],
            new Dictionary<string, string> { ["BATCHBUILD_BATCH_ID"] = "server-e2e-2" },
            store);

        Assert.That(run.Command.ExitCode, Is.Zero, run.Command.ToString());
        Assert.That(run.Command.Output, Does.Contain("warning BB5101").And.Contain("are spooled in"));
        Assert.That(Directory.GetFiles(Path.Combine(Path.GetDirectoryName(store)!, "spool"), "*.json"), Is.Not.Empty);

        var (app, client) = await StartServerAsync(port, Path.Combine(LocalPackage.Scratch, "server", "later.db"));
        await using (app)
        using (client)
        {
            var step = Path.Combine(LocalPackage.Scratch, "server-close");
            Directory.CreateDirectory(step);
            File.Copy(
                Path.Combine(LocalPackage.Samples, "NuGet.config"),
                Path.Combine(step, "NuGet.config"),
                overwrite: true);
            File.WriteAllText(
                Path.Combine(step, "close.proj"),
                $"<Project Sdk=\"BatchBuild/{LocalPackage.Version}\" />");
            var close = Dotnet.Run(
                step,
                null,
                ["msbuild", "close.proj", "-p:BatchBuildBatchId=server-e2e-2", .. server]);

            Assert.That(close.ExitCode, Is.Zero, close.ToString());
            Assert.That(close.Output, Does.Contain("spooled results sent").And.Contain("batch server-e2e-2 closed"));
            var batch = (await client.GetFromJsonAsync("api/v1/batches/server-e2e-2", ApiJson.Default.BatchDto))!;
            Assert.That((batch.State, batch.Counts.Total), Is.EqualTo(("closed", run.Records.Count)));
            Assert.That(Directory.GetFiles(Path.Combine(Path.GetDirectoryName(store)!, "spool"), "*.json"), Is.Empty);
        }
    }

    [Test]
    public async Task The_collector_on_its_own_shows_problems_as_warnings_and_never_progress()
    {
        var port = LoopbackServer.FreePort();
        var store = Path.Combine(LocalPackage.Scratch, "stores", "collector-server", "batchbuild.db");
        var environment = new Dictionary<string, string>
        {
            ["BATCHBUILD_BATCH_ID"] = "collector-server-1",
            ["BATCHBUILD_STORE"] = store,
            ["BATCHBUILD_SERVER_URL"] = $"http://127.0.0.1:{port}",
            ["BATCHBUILD_API_KEY"] = Key,
        };
        string[] collect = ["-p:BatchBuildEnabled=false", "--collect", "BatchBuild"];

        var away = SampleRun.Start("Samples.NUnit/Samples.NUnit.csproj", collect, environment, store);

        Assert.That(away.Command.ExitCode, Is.Zero, away.Command.ToString());
        Assert.That(away.Command.Output, Does.Contain("BB5101"), "the spooled results are a warning");

        var (app, client) = await StartServerAsync(port, Path.Combine(LocalPackage.Scratch, "server", "collector.db"));
        await using (app)
        using (client)
        {
            var back = SampleRun.Start("Samples.NUnit/Samples.NUnit.csproj", collect, environment, store);

            Assert.That(back.Command.ExitCode, Is.Zero, back.Command.ToString());
            Assert.That(
                back.Command.Output,
                Does.Not.Contain("spooled results sent").And.Not.Contain("BB5101"),
                "sending the spool is progress, not a warning");
            var batch = (await client.GetFromJsonAsync("api/v1/batches/collector-server-1", ApiJson.Default.BatchDto))!;
            Assert.That(
                (batch.Counts.Total, batch.Counts.TestBatches),
                Is.EqualTo((16, 2)),
                "both runs reached the server");
        }
    }
}
