namespace BatchBuild.Core.Configuration;

/// <summary>Marathon's flakiness strategy types.</summary>
public enum FlakinessStrategyType
{
    /// <summary>Every test is scheduled once.</summary>
    Ignore,

    /// <summary>
    /// A test with a low recorded pass rate is scheduled as often as it takes to pass with <c>MinSuccessRate</c>
    /// probability.
    /// </summary>
    Probability,
}
