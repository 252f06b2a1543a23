using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace BatchBuild.Core.Batches;

/// <summary>
/// A capability to close one batch ID on a batch server until a time, and nothing else: what a
/// close request written to disk carries instead of the API key. The server issues it to a caller
/// with a key (<c>POST /api/v1/batches/{id}/close-token</c>) and checks it against a secret it
/// generated and keeps in its store, which no client has and no setting holds, so nothing in the
/// server's configuration (its key hashes above all) makes one. Its form is
/// <c>bbc2.{expiry, Unix seconds}.{HMAC-SHA256}</c>, keyed by that secret over the batch ID and
/// the expiry. Tokens of the first form, <c>bbc1.</c>, were keyed by the key's hash and are refused.
/// </summary>
public static class CloseToken
{
    /// <summary>The header a close token travels in.</summary>
    public const string Header = "X-BatchBuild-Close-Token";

    /// <summary>The size of the secret tokens are keyed with, in bytes.</summary>
    public const int SecretBytes = 32;

    private const string Prefix = "bbc2.";
    private const string RetiredPrefix = "bbc1.";

    /// <summary>
    /// A token for closing <paramref name="id"/> until <paramref name="expires"/>, keyed by <paramref name="secret"/>.
    /// </summary>
    public static string Create(byte[] secret, BatchId id, DateTimeOffset expires)
    {
        var expiry = expires.ToUnixTimeSeconds();
        var mac = Convert.ToHexStringLower(Mac(secret, id, expiry));
        return $"{Prefix}{expiry.ToString(CultureInfo.InvariantCulture)}.{mac}";
    }

    /// <summary>
    /// Whether <paramref name="token"/> has the form of the tokens before <c>bbc2</c>, which no server accepts any
    /// more.
    /// </summary>
    public static bool IsRetired(string? token) => token?.StartsWith(RetiredPrefix, StringComparison.Ordinal) == true;

    /// <summary>
    /// Whether <paramref name="token"/> lets its bearer close <paramref name="id"/> at
    /// <paramref name="now"/> under <paramref name="secret"/>; compared in constant time.
    /// </summary>
    public static bool Verify(string? token, BatchId id, DateTimeOffset now, byte[] secret)
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

        return CryptographicOperations.FixedTimeEquals(presented, Mac(secret, id, expiry));
    }

    private static byte[] Mac(byte[] secret, BatchId id, long expiry) =>
        HMACSHA256.HashData(
            secret,
            Encoding.UTF8.GetBytes($"batchbuild-close\n{expiry.ToString(CultureInfo.InvariantCulture)}\n{id.Value}"));
}
