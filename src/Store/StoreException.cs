using BatchBuild.Core;

namespace BatchBuild.Store;

/// <summary>A store that cannot be used, with the BB code and a message that says how to fix it.</summary>
public sealed class StoreException(string code, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The <c>BBnnnn</c> code.</summary>
    public string Code { get; } = code;

    /// <summary>What to report: an error with the code and the message.</summary>
    public Diagnostic Diagnostic => Diagnostic.Error(Code, Message);
}
