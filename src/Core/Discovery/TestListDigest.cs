using System.Security.Cryptography;
using System.Text;

namespace BatchBuild.Core.Discovery;

/// <summary>
/// What stands for an assembly's list of tests in its listing's record: the SHA-256, in lowercase
/// hex, of the assembly file's own digest and its distinct test IDs sorted by ordinal, each as its
/// length, a colon, itself and a line break. Two lists share a digest only if they name the same
/// tests, in any order, of the same build of the assembly: a test a run does not report (an
/// explicit one) can only be missing from a listing of another build.
/// </summary>
public static class TestListDigest
{
    /// <summary>The length of a digest in characters.</summary>
    public const int Length = 64;

    /// <summary>
    /// The digest of the tests <paramref name="ids"/> names, of the assembly whose file has the
    /// digest <paramref name="assembly"/> (see <see cref="OfFile"/>; empty when not known).
    /// </summary>
    public static string Of(IEnumerable<string> ids, string assembly = "")
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(assembly);
        var text = new StringBuilder();
        text.Append(assembly.Length).Append(':').Append(assembly).Append('\n');
        foreach (var id in ids.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            text.Append(id.Length).Append(':').Append(id).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>
    /// The SHA-256, in lowercase hex, of the file at <paramref name="path"/>; empty when it cannot be
    /// read, so that a listing's digest then names its tests alone.
    /// </summary>
    public static string OfFile(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            return Convert.ToHexStringLower(SHA256.HashData(file));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException
            or NotSupportedException)
        {
            return string.Empty;
        }
    }

    /// <summary>Whether <paramref name="text"/> has the form of a digest.</summary>
    public static bool IsDigest(string? text) =>
        text is { Length: Length } && text.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');
}
