using System.Text.Json;
using BatchBuild.Core.Api;
using BatchBuild.Core.Batches;

namespace BatchBuild.Core.Tests;

/// <summary>
/// The counts a batch holds reach the server's answers and the completion document: their JSON
/// names and order are a contract with every client and webhook.
/// </summary>
public sealed class BatchCountsJsonTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    private static readonly BatchInfo Closed = new(
        BatchId.Parse("nightly-7"),
        1,
        BatchState.Closed,
        Start,
        Start.AddMinutes(9),
        Start.AddMinutes(10),
        CloseReason.Explicit,
        new BatchCounts(7, 2, 1, 3, 2, 1234.56, Flaky: 1, Retried: 2),
        NotifyOnCompletion: true);

    [Test]
    public void The_counts_of_a_batch_on_the_wire_keep_their_names_order_and_values()
    {
        var json = JsonSerializer.Serialize(BatchDto.From(Closed, Start.AddHours(1)), ApiJson.Default.BatchDto);

        using var document = JsonDocument.Parse(json);
        Assert.That(
            document.RootElement.GetProperty("counts").GetRawText(),
            Is.EqualTo(
                "{\"passed\":7,\"failed\":2,\"skipped\":1,\"total\":10,"
                + "\"testBatches\":3,\"agents\":2,\"testMillis\":1234.56,\"flaky\":1,\"retried\":2}"));
    }

    [Test]
    public void The_counts_a_client_reads_from_the_wire_are_the_counts_the_server_sent()
    {
        var json = JsonSerializer.Serialize(BatchDto.From(Closed, Start.AddHours(1)), ApiJson.Default.BatchDto);

        var read = JsonSerializer.Deserialize(json, ApiJson.Default.BatchDto)!;

        Assert.That(read, Is.EqualTo(BatchDto.From(Closed, Start.AddHours(1))));
    }

    [Test]
    public void The_counts_of_a_completion_document_keep_their_names_order_and_values()
    {
        var completion = BatchCompletion.From(Closed, []);

        using var document = JsonDocument.Parse(completion.ToJson());
        var counts = document.RootElement.GetProperty("counts");
        Assert.That(
            counts.EnumerateObject().Select(p => $"{p.Name}={p.Value.GetRawText()}"),
            Is.EqualTo(
                new[]
                {
                    "passed=7", "failed=2", "skipped=1", "total=10", "testBatches=3", "agents=2",
                    "testMillis=1234.6", "flaky=1", "retried=2",
                }));
        var read = BatchCompletion.FromJson(completion.ToJson());
        Assert.That((read.Counts, read.ToJson()), Is.EqualTo((completion.Counts, completion.ToJson())));
    }
}
