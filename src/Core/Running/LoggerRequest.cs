namespace BatchBuild.Core.Running;

/// <summary>
/// A test logger as the user named it: <c>trx;LogFileName=r.trx</c> is <c>trx</c> with one parameter.
/// </summary>
/// <param name="Name">Its friendly name or URI.</param>
/// <param name="Parameters">Its parameters.</param>
public sealed record LoggerRequest(string Name, IReadOnlyDictionary<string, string?> Parameters)
{
    /// <summary>Reads a <c>--logger</c> value: a friendly name or URI, then <c>;key=value</c> pairs.</summary>
    public static LoggerRequest Parse(string value)
    {
        var parts = value.Split(';', StringSplitOptions.TrimEntries);
        var parameters = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in parts.Skip(1).Where(part => part.Length > 0))
        {
            var equals = pair.IndexOf('=');
            parameters[equals < 0 ? pair : pair[..equals].Trim()] = equals < 0 ? null : pair[(equals + 1)..].Trim();
        }

        return new LoggerRequest(parts[0], parameters);
    }
}
