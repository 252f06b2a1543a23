using System.Collections.Immutable;
using System.Globalization;

namespace BatchBuild.Core.Batches;

/// <summary>
/// Which attempt of its CI job a run is: 1 the first time, more when the job is run again
/// ("Rerun failed jobs", "Re-run all jobs"). A run whose attempt is more than 1 is a re-run: it
/// joins the batch of the run it re-runs instead of starting one (see <see cref="Rerun"/>).
/// </summary>
/// <param name="Number">The attempt, from 1.</param>
/// <param name="Origin">Where it came from, for the build log.</param>
public sealed record RunAttempt(int Number, string Origin)
{
    /// <summary>A first run, or a run outside a CI that counts attempts.</summary>
    public static RunAttempt First { get; } = new(1, "a first run");

    /// <summary>Whether the job has run before in the same CI run.</summary>
    public bool IsRerun => Number > 1;

    // The attempt variable of each CI, read only where that CI's run variable is set. Azure
    // Pipelines counts each job's attempts (System.JobAttempt; System.StageAttempt counts the
    // stage's, which every re-run of the stage raises, the jobs it does not run again included);
    // GitHub Actions counts the workflow run's (GITHUB_RUN_ATTEMPT), and has no count per job.
    private static readonly (string Ci, string Run, string Attempt)[] CiVariables =
    [
        ("Azure Pipelines", "BUILD_BUILDID", "SYSTEM_JOBATTEMPT"),
        ("GitHub Actions", "GITHUB_RUN_ID", "GITHUB_RUN_ATTEMPT"),
    ];

    /// <summary>
    /// The attempt of the CI job this run is part of: <c>SYSTEM_JOBATTEMPT</c> in Azure Pipelines,
    /// <c>GITHUB_RUN_ATTEMPT</c> in GitHub Actions; else <see cref="First"/>. A value that is not a
    /// whole number from 1 is a BB1014 warning, and the run counts as a first attempt.
    /// </summary>
    public static (RunAttempt Attempt, ImmutableArray<Diagnostic> Diagnostics) Resolve(
        Func<string, string?> environment)
    {
        foreach (var (ci, run, attempt) in CiVariables)
        {
            if (EnvironmentValues.Of(environment, run) is null)
            {
                continue;
            }

            if (EnvironmentValues.Of(environment, attempt) is not { } text)
            {
                return (First, []);
            }

            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= 1
                ? (new RunAttempt(number, $"{ci} ({attempt}={text})"), [])
                : (First,
                [
                    Diagnostic.Warning(
                        DiagnosticCodes.InvalidRunAttempt,
                        $"{ci}'s {attempt}='{text}' is not a whole number from 1; the run counts as a first attempt "
                        + "and does not join the batch of an earlier attempt"),
                ]);
        }

        return (First, []);
    }
}
