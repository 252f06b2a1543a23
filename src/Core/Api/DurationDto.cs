using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;

namespace BatchBuild.Core.Api;

/// <summary>One test's duration on the wire, with how many of its runs passed (absent from older servers).</summary>
public sealed record DurationDto(string Assembly, string Name, double Millis, int Runs, int? Passed = null)
{
    /// <summary>The duration as sent.</summary>
    public static DurationDto From(TestDuration duration) =>
        new(duration.Test.Assembly, duration.Test.FullyQualifiedName, duration.Millis, duration.Runs, duration.Passed);

    /// <summary>The duration as read; a pass count outside [0, runs] is dropped.</summary>
    public TestDuration ToDuration() =>
        new(
            new TestKey(Assembly, Name),
            Millis,
            Runs,
            Passed is { } passed && passed >= 0 && passed <= Runs ? passed : null);
}
