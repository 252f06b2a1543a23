namespace BatchBuild.Core.Api;

/// <summary>A test named on the wire.</summary>
public sealed record TestDto(string? Assembly, string? Name);
