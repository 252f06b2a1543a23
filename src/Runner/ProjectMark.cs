namespace BatchBuild.Runner;

/// <summary>
/// Where a project of a <c>dotnet test</c> invocation stands, as its mark in
/// <see cref="InvocationFolder"/> says.
/// </summary>
internal enum ProjectMark
{
    /// <summary>The build entered it: <c>dotnet test</c> will run it.</summary>
    Expected,

    /// <summary>Its launcher has ended.</summary>
    Done,
}
