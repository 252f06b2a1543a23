namespace BatchBuild.Core.Batches;

/// <summary>
/// When the store closes a batch by itself: an active batch open for strictly longer than
/// <see cref="MaxAge"/> closes as too old; otherwise one with no report for strictly longer than
/// <see cref="IdleTimeout"/> closes as idle. The store applies the rule in one SQL statement.
/// </summary>
/// <param name="IdleTimeout">A batch with no report for longer than this closes as idle.</param>
/// <param name="MaxAge">A batch open for longer than this closes as too old.</param>
public sealed record BatchLimits(TimeSpan IdleTimeout, TimeSpan MaxAge)
{
    /// <summary>3 hours idle, 3 days old.</summary>
    public static BatchLimits Default { get; } = new(TimeSpan.FromHours(3), TimeSpan.FromDays(3));
}
