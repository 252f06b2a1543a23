namespace BatchBuild.EndToEnd.Tests;

/// <summary>What a <c>dotnet</c> command printed and how it ended.</summary>
internal sealed record CommandResult(int ExitCode, string Output, TimeSpan Elapsed)
{
    public override string ToString() => $"exit code {ExitCode} after {Elapsed.TotalSeconds:0.0} s:\n{Output}";
}
