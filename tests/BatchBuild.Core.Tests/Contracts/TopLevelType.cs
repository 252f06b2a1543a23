namespace BatchBuild.Core.Tests.Contracts;

/// <summary>A type a C# file declares outside any other type.</summary>
/// <param name="Name">The type's name without type parameters (<c>Foo</c> for <c>Foo&lt;T&gt;</c>).</param>
/// <param name="IsPartial">Whether the declaration is <c>partial</c>.</param>
/// <param name="Line">The 1-based line of the declaring keyword.</param>
internal sealed record TopLevelType(string Name, bool IsPartial, int Line);
