using BatchBuild.Adapter;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Running;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;

namespace BatchBuild.Tasks;

/// <summary>What one test batch's run reported.</summary>
/// <param name="Results">Every test result, in the order reported.</param>
/// <param name="Failed">Whether the run itself failed: its test host crashed, or it was aborted or cancelled.</param>
/// <param name="Attachments">
/// The attachments of the run (data collectors' files), each file once, as an absolute URI.
/// </param>
/// <param name="Log">What vstest said: warnings, errors and the test host's error output.</param>
/// <param name="Collectors">The data collectors that took part, for the post-processing of their attachments.</param>
/// <param name="Running">
/// The tests that had started but not reported when the run ended, by ID, with how long they had
/// run: when the run failed, the suspects.
/// </param>
/// <param name="TimedOut">The time limit that killed the test host, or null.</param>
/// <param name="SilentMillis">How long the run went without a test result before it ended.</param>
internal sealed record VsTestRun(
    IReadOnlyList<TestResult> Results,
    bool Failed,
    IReadOnlyList<AttachmentSet> Attachments,
    IReadOnlyList<HandoffCollector> Collectors,
    string Log,
    IReadOnlyDictionary<string, double> Running,
    TimeLimitKind? TimedOut,
    double SilentMillis)
{
    /// <summary>How long after the run was asked for its first result came, or null without one.</summary>
    public double? FirstResultMillis { get; init; }

    /// <summary>How long the test of the first result took by its own account, or null without one.</summary>
    public double? FirstResultDurationMillis { get; init; }

    /// <summary>The results as BatchBuild reads them.</summary>
    public IReadOnlyList<TestCaseResult> CaseResults =>
    [
        .. Results.Select(result => new TestCaseResult(
            result.TestCase.Id.ToString(),
            result.DisplayName ?? result.TestCase.DisplayName,
            Outcomes.From(result.Outcome),
            result.Duration.TotalMilliseconds,
            result.ErrorMessage)),
    ];
}
