namespace BatchBuild.Core.Running;

/// <summary>
/// The crash and hang dumps <c>dotnet test</c>'s <c>--blame*</c> options ask for.
/// </summary>
/// <param name="Crash">Collect a dump when a test host crashes (<c>--blame-crash</c>).</param>
/// <param name="CrashDumpType"><c>--blame-crash-dump-type</c>, or null for vstest's default.</param>
/// <param name="CrashCollectAlways"><c>--blame-crash-collect-always</c>.</param>
/// <param name="Hang">Collect a dump and kill the test host when a test hangs (<c>--blame-hang</c>).</param>
/// <param name="HangDumpType"><c>--blame-hang-dump-type</c>, or null for vstest's default.</param>
/// <param name="HangTimeout"><c>--blame-hang-timeout</c>, such as <c>5min</c> or <c>90s</c>, or null for vstest's
/// default.</param>
public sealed record BlameOptions(
    bool Crash,
    string? CrashDumpType,
    bool CrashCollectAlways,
    bool Hang,
    string? HangDumpType,
    string? HangTimeout)
{
    /// <summary>Whether any blame option was given (plain <c>--blame</c> is one).</summary>
    public bool Enabled { get; init; } = Crash || Hang;
}
