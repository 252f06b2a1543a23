using System.Collections.Immutable;

namespace BatchBuild.Core.Discovery;

/// <summary>One test case as the test platform discovered it.</summary>
/// <param name="Source">Path of the test assembly that holds the test.</param>
/// <param name="FullyQualifiedName">The test's fully qualified name; NUnit puts parameters in it, xUnit and MSTest do
/// not.</param>
/// <param name="ClassName">The test's class; <see cref="TestName.ClassOf"/> derives it when the platform does not
/// say.</param>
/// <param name="DisplayName">The name shown to people (a theory row or data row has its own).</param>
/// <param name="Traits">Categories and traits.</param>
/// <param name="Id">
/// The test platform's ID of the case (<c>TestCase.Id</c>): what a run selects it by. Cases that
/// share one cannot be told apart and run together. A test known only by name has its name as ID.
/// </param>
public sealed record DiscoveredTest(
    string Source,
    string FullyQualifiedName,
    string ClassName,
    string DisplayName,
    ImmutableArray<TestTrait> Traits,
    string? Id = null)
{
    /// <summary>The test platform's ID of the case; its name when none was given.</summary>
    public string Id { get; init; } = Id ?? FullyQualifiedName;

    /// <summary>A test known only by its source and fully qualified name.</summary>
    public static DiscoveredTest FromName(string source, string fullyQualifiedName) =>
        new(source, fullyQualifiedName, TestName.ClassOf(fullyQualifiedName), fullyQualifiedName, []);
}
