using NUnit.Framework;

namespace Bench;

/// <summary>
/// The skewed shape of a large suite: a few long tests, some medium ones and many short ones,
/// with durations that follow from the case number, so that every run is the same suite.
/// </summary>
public static class Workload
{
    /// <summary><paramref name="count"/> cases numbered from 1, lasting from <paramref name="min"/> to <paramref
    /// name="max"/> milliseconds.</summary>
    public static IEnumerable<TestCaseData> Cases(int count, int min, int max) =>
        Enumerable.Range(1, count).Select(i => new TestCaseData(i, min + (i * 7919 % (max - min + 1))));

    public static void Work(int millis) => Thread.Sleep(millis);
}
