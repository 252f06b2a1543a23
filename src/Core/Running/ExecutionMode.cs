namespace BatchBuild.Core.Running;

/// <summary>When a test that ran more than once counts as passed.</summary>
public enum ExecutionMode
{
    /// <summary>When any of its runs passed (Marathon's <c>any-success</c>).</summary>
    AnySuccess,

    /// <summary>Only when every run passed (<c>all-success</c>).</summary>
    AllSuccess,
}
