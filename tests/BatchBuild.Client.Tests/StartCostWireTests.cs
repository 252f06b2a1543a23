using System.Text.Json;
using BatchBuild.Core.Api;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;

namespace BatchBuild.Client.Tests;

/// <summary>Start costs as they travel between the test run and the batch server.</summary>
public sealed class StartCostWireTests
{
    private static readonly StartCostRecord Cost = new(
        "Markdig.Tests",
        StartCostKind.Listing,
        1234.5,
        1300,
        0,
        3796,
        "ci-7",
        new DateTimeOffset(2026, 12, 7, 8, 0, 0, TimeSpan.Zero),
        TestListDigest.Of(["id-1", "id-2"]));

    [Test]
    public void A_start_cost_travels_as_camel_case_json_and_is_read_back_as_sent()
    {
        var json = JsonSerializer.Serialize(StartCostsRequest.From([Cost]), ApiJson.Default.StartCostsRequest);
        var (records, problems) = JsonSerializer.Deserialize(json, ApiJson.Default.StartCostsRequest)!.Validate();

        using var sent = JsonDocument.Parse(json);
        var cost = sent.RootElement.GetProperty("costs")[0];
        Assert.That(
            cost.EnumerateObject().Select(property => property.Name),
            Is.EqualTo(new[]
            {
                "assembly", "kind", "startMillis", "wallMillis", "testMillis", "tests", "batchId", "finishedAt",
                "listDigest",
            }));
        Assert.That(
            cost.GetProperty("kind").GetString(),
            Is.EqualTo("Listing"),
            "as the other enums of the API: its name, read in any case");
        Assert.That(problems, Is.Empty);
        Assert.That(records, Is.EqualTo(new[] { Cost }));
    }

    [Test]
    public void An_answered_start_cost_without_what_this_version_needs_is_left_out_and_numbers_are_clamped()
    {
        var answer = JsonSerializer.Deserialize(
            """
            {"costs":[
              {"assembly":"A.Tests","kind":"testBatch","startMillis":-5,"wallMillis":1e12,"tests":-1,
               "batchId":"ci-7","finishedAt":"2026-12-07T08:00:00Z"},
              {"kind":"testBatch","batchId":"ci-7","finishedAt":"2026-12-07T08:00:00Z"},
              {"assembly":"A.Tests","kind":7,"batchId":"ci-7","finishedAt":"2026-12-07T08:00:00Z"}]}
            """,
            ApiJson.Default.StartCostsResponse)!;

        var costs = answer.Costs.Select(cost => cost.ToCost()).ToList();

        Assert.That(costs[1..], Is.All.Null);
        Assert.That(
            costs[0],
            Is.EqualTo(new StartCostRecord(
                "A.Tests", StartCostKind.TestBatch, 0, 604_800_000, 0, 0, "ci-7", Cost.FinishedAt)));
    }

    [Test]
    public void A_query_asks_for_the_default_runs_when_it_names_none_and_cleans_and_merges_assembly_names()
    {
        var (query, problems) = new StartCostsQueryRequest(["A\0.Tests", "A\uFFFD.Tests", "B.Tests"], null, null)
            .Validate();

        Assert.That(problems, Is.Empty);
        Assert.That(query!.Assemblies, Is.EqualTo(new[] { "A\uFFFD.Tests", "B.Tests" }));
        Assert.That(query.RunsPerAssembly, Is.EqualTo(StartCostQuery.DefaultRunsPerAssembly));
        Assert.That(
            new StartCostsQueryRequest(["A.Tests"], null, StartCostsQueryRequest.MaxRunsPerAssembly + 1).Validate()
                .Problems,
            Is.EqualTo(new[] { "runsPerAssembly: 1 to 100" }));
    }
}
