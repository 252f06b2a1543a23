using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace BatchBuild.Server;

/// <summary>
/// API keys, kept as SHA-256 hashes only. Keys are long random strings, so a fast hash is safe;
/// every configured hash is compared in constant time, so timing reveals nothing about a key.
/// </summary>
public sealed class ApiKeys(IReadOnlyList<byte[]> hashes, bool allowAnonymous)
{
    private const string Prefix = "sha256:";
    private static readonly SearchValues<char> Hex = SearchValues.Create("0123456789abcdefABCDEF");

    /// <summary>Whether requests need no key at all.</summary>
    public bool AllowAnonymous { get; } = allowAnonymous;

    /// <summary>The keys <paramref name="options"/> configures.</summary>
    public static ApiKeys From(ServerOptions options) =>
        new(
            [
                .. options.ApiKeyHashes.Select(text => TryParseHash(text, out var hash)
                    ? hash
                    : throw new ArgumentException("not a key hash", nameof(options))),
            ],
            options.AllowAnonymous);

    /// <summary>The configured form of <paramref name="key"/>'s hash: <c>sha256:</c> and 64 hex digits.</summary>
    public static string Hash(string key) => Prefix + Convert.ToHexStringLower(KeyHash(key));

    /// <summary>A new random key: 32 bytes, URL-safe.</summary>
    public static string NewKey() =>
        "bb_"
            + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))
                .TrimEnd('=')
                .Replace('+', '-')
                .Replace('/', '_');

    /// <summary>Reads a configured hash.</summary>
    public static bool TryParseHash(string? text, out byte[] hash)
    {
        hash = [];
        if (text is null || !text.StartsWith(
            Prefix,
            StringComparison.OrdinalIgnoreCase) || text.Length != Prefix.Length + 64
            || text.AsSpan(Prefix.Length).ContainsAnyExcept(Hex))
        {
            return false;
        }

        hash = Convert.FromHexString(text.AsSpan(Prefix.Length));
        return true;
    }

    /// <summary>Whether <paramref name="key"/> is one of the configured keys.</summary>
    public bool Accepts(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return false;
        }

        var presented = KeyHash(key);
        var match = false;
        foreach (var hash in hashes)
        {
            match |= CryptographicOperations.FixedTimeEquals(presented, hash);
        }

        return match;
    }

    private static byte[] KeyHash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
