using BatchBuild.Core.Durations;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;

namespace BatchBuild.Adapter;

/// <summary>Maps the test platform's outcomes to BatchBuild's.</summary>
internal static class Outcomes
{
    public static TestRunOutcome From(TestOutcome outcome) => outcome switch
    {
        TestOutcome.Passed => TestRunOutcome.Passed,
        TestOutcome.Failed => TestRunOutcome.Failed,
        TestOutcome.Skipped => TestRunOutcome.Skipped,
        _ => TestRunOutcome.None,
    };
}
