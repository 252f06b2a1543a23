using System.Security.Cryptography;
using System.Text;

namespace BatchBuild.Store;

/// <summary>
/// The fixed-size key that stands for a long text in the store's indexes: the SHA-256 of its UTF-8
/// bytes (32 bytes), which PostgreSQL computes as <c>sha256(convert_to(text, 'UTF8'))</c>. A test's
/// assembly, name, agent and attempt may each be thousands of characters, more than a PostgreSQL
/// index entry holds (about 2,700 bytes), so the indexes key on their digests instead; two texts
/// share a digest only if they are equal, so uniqueness and lookups mean what they meant on the text.
/// </summary>
public static class TextDigest
{
    /// <summary>The length of a digest in bytes.</summary>
    public const int Length = 32;

    /// <summary>The digest of <paramref name="text"/>.</summary>
    public static byte[] Of(string text) => SHA256.HashData(Encoding.UTF8.GetBytes(text));
}
