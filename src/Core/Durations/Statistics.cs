namespace BatchBuild.Core.Durations;

/// <summary>Order statistics over durations.</summary>
public static class Statistics
{
    /// <summary>
    /// The nearest-rank percentile: the smallest value that at least <paramref name="percentile"/>
    /// percent of the values do not exceed. <paramref name="percentile"/> is in (0, 100].
    /// </summary>
    public static double Percentile(double[] values, double percentile)
    {
        ArgumentOutOfRangeException.ThrowIfZero(values.Length);
        if (percentile is <= 0 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "A percentile lies in (0, 100].");
        }

        Array.Sort(values);
        var rank = (int)Math.Ceiling(percentile / 100 * values.Length);
        return values[Math.Clamp(rank, 1, values.Length) - 1];
    }

    /// <summary>The median: the middle value, or the mean of the two middle values.</summary>
    public static double Median(double[] values)
    {
        ArgumentOutOfRangeException.ThrowIfZero(values.Length);
        Array.Sort(values);
        var middle = values.Length / 2;
        return values.Length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }
}
