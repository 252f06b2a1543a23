namespace BatchBuild.Core.Testing;

/// <summary>
/// The command line of one run of a test app, and the text of the response file it names, or
/// null when the uids all fit on the command line.
/// </summary>
public sealed record TestBatchArguments(IReadOnlyList<string> Arguments, string? ResponseFileText);
