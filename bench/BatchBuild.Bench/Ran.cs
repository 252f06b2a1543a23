namespace BatchBuild.Bench;

/// <summary>What a command printed, how it ended and how long it took.</summary>
internal sealed record Ran(int ExitCode, string Output, TimeSpan Elapsed);
