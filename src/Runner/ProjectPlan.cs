using BatchBuild.Core;
using BatchBuild.Core.Planning;

namespace BatchBuild.Runner;

/// <summary>A project's plan with what it is predicted to cost.</summary>
/// <param name="Batches">The test batches, in the order they run.</param>
/// <param name="Costs">The cost model the plan was made and predicted with.</param>
/// <param name="Forecast">What the plan is predicted to cost on the workers of every agent.</param>
/// <param name="Advice">The BB1016 warning when the plan spends more time starting than testing, else null.</param>
internal sealed record ProjectPlan(
    IReadOnlyList<TestBatch> Batches,
    CostModel Costs,
    PlanForecast Forecast,
    Diagnostic? Advice);
