namespace BatchBuild.Core.Api;

/// <summary>A test's recorded runs, with their whole error messages: <c>GET /api/v1/tests/runs</c>.</summary>
public sealed record TestRunsDto(string Assembly, string Name, IReadOnlyList<ResultDto> Runs)
{
    /// <summary>How many runs are read when no limit is asked for.</summary>
    public const int DefaultLimit = 50;

    /// <summary>The most runs read at once: see <see cref="AnswerBounds.TestRuns"/>.</summary>
    public const int MaxLimit = 50;
}
