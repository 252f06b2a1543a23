using BatchBuild.Core.Store;

namespace BatchBuild.Core.Api;

/// <summary>The checks names on the wire share.</summary>
internal static class Names
{
    public static void Check(string? value, string field, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > ResultDto.MaxTextLength)
        {
            problems.Add($"{field}: required, at most {ResultDto.MaxTextLength} characters");
        }
    }

    /// <summary>What an agent name may hold, for error messages.</summary>
    public const string AgentRule = "required, at most 2048 characters, no control characters or unpaired surrogates";

    /// <summary>
    /// An agent's name identifies it, so it is refused rather than stored replaced: text that the
    /// store would change (U+0000, an unpaired surrogate, both stored as U+FFFD) would make two
    /// agents one. Other control characters are no part of a name either.
    /// </summary>
    public static void CheckAgent(string? value, string field, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(value)
            || value.Length > ResultDto.MaxTextLength
            || value.Any(char.IsControl)
            || StoredText.Clean(value) != value)
        {
            problems.Add($"{field}: {AgentRule}");
        }
    }
}
