using System.Security.Cryptography;
using System.Text;

namespace BatchBuild.Core.Discovery;

/// <summary>
/// What stands for an assembly's list of tests in its listing's record: the SHA-256, in lowercase
/// hex, of its distinct test IDs sorted by ordinal, each as its length, a colon, itself and a line
/// break. Two lists share a digest only if they name the same tests, in any order.
/// </summary>
public static class TestListDigest
{
    /// <summary>The length of a digest in characters.</summary>
    public const int Length = 64;

    /// <summary>The digest of the tests <paramref name="ids"/> names.</summary>
    public static string Of(IEnumerable<string> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var text = new StringBuilder();
        foreach (var id in ids.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            text.Append(id.Length).Append(':').Append(id).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>Whether <paramref name="text"/> has the form of a digest.</summary>
    public static bool IsDigest(string? text) =>
        text is { Length: Length } && text.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');
}
