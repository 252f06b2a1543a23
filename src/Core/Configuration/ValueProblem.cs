namespace BatchBuild.Core.Configuration;

/// <summary>What is wrong with a value: the code and what would be allowed instead.</summary>
internal sealed record ValueProblem(string Code, string Allowed);
