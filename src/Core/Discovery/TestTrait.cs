namespace BatchBuild.Core.Discovery;

/// <summary>
/// A name/value pair a test framework attaches to a test (NUnit categories, MSTest traits, xUnit traits).
/// </summary>
public sealed record TestTrait(string Name, string Value);
