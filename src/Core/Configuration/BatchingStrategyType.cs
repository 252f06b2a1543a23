namespace BatchBuild.Core.Configuration;

/// <summary>The batching strategy types, named as in configuration.</summary>
public enum BatchingStrategyType
{
    /// <summary><c>isolate</c>: one test per test batch.</summary>
    Isolate,

    /// <summary><c>fixed-size</c>: at most <c>size</c> tests per test batch, optionally capped by duration.</summary>
    FixedSize,

    /// <summary><c>class-name</c>: one test batch per test class.</summary>
    ClassName,
}
