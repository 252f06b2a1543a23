using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace BatchBuild.Core.Batches;

/// <summary>
/// A capability to close one batch ID on a batch server until a time, and nothing else: what a
/// close request written to disk carries instead of the API key. The client derives it from the
/// key; the server checks it against the key hashes it is configured with, so neither the key nor
/// a server round trip is needed. Its form is <c>bbc1.{expiry, Unix seconds}.{HMAC-SHA256}</c>,
/// keyed by the SHA-256 of the API key over the batch ID and the expiry.
/// </summary>
public static class CloseToken
{
    /// <summary>The header a close token travels in.</summary>
    public const string Header = "X-BatchBuild-Close-Token";

    private const string Prefix = "bbc1.";

    /// <summary>A token for closing <paramref name="id"/> until <paramref name="expires"/>, derived from <paramref name="apiKey"/>.</summary>
    public static string Create(string apiKey, BatchId id, DateTimeOffset expires)
    {
        var expiry = expires.ToUnixTimeSeconds();
        return $"{Prefix}{expiry.ToString(CultureInfo.InvariantCulture)}.{Convert.ToHexStringLower(Mac(KeyHash(apiKey), id, expiry))}";
    }

    /// <summary>The SHA-256 of an API key: what the server keeps, and what tokens are keyed with.</summary>
    public static byte[] KeyHash(string apiKey) => SHA256.HashData(Encoding.UTF8.GetBytes(apiKey));

    /// <summary>
    /// Whether <paramref name="token"/> lets its bearer close <paramref name="id"/> at
    /// <paramref name="now"/> under one of <paramref name="keyHashes"/>; compared in constant time.
    /// </summary>
    public static bool Verify(string? token, BatchId id, DateTimeOffset now, IEnumerable<byte[]> keyHashes)
    {
        if (token is null || !token.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var parts = token[Prefix.Length..].Split('.');
        if (parts.Length != 2
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var expiry)
            || expiry < now.ToUnixTimeSeconds()
            || parts[1].Length != 64)
        {
            return false;
        }

        byte[] presented;
        try
        {
            presented = Convert.FromHexString(parts[1]);
        }
        catch (FormatException)
        {
            return false;
        }

        var match = false;
        foreach (var hash in keyHashes)
        {
            match |= CryptographicOperations.FixedTimeEquals(presented, Mac(hash, id, expiry));
        }

        return match;
    }

    private static byte[] Mac(byte[] keyHash, BatchId id, long expiry) =>
        HMACSHA256.HashData(keyHash, Encoding.UTF8.GetBytes($"batchbuild-close\n{expiry.ToString(CultureInfo.InvariantCulture)}\n{id.Value}"));
}
