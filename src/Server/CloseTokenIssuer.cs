using BatchBuild.Core.Batches;

namespace BatchBuild.Server;

/// <summary>
/// Issues and checks the server's <see cref="CloseToken"/>s with the secret its store keeps (made
/// on the first start, shared by every instance on the database). Nothing a client has or the
/// configuration holds, the key hashes included, makes a token; a token lasts as long as a batch
/// may live (<see cref="ServerOptions.MaxBatchAge"/>).
/// </summary>
internal sealed class CloseTokenIssuer(byte[] secret, TimeSpan lifetime, TimeProvider clock)
{
    /// <summary>The name of the secret in the store.</summary>
    public const string SecretName = "close-token";

    /// <summary>A token that closes <paramref name="id"/>, and when it expires.</summary>
    public (string Token, DateTimeOffset Expires) Issue(BatchId id)
    {
        // Whole seconds: the token carries its expiry in Unix seconds.
        var expires = DateTimeOffset.FromUnixTimeSeconds((clock.GetUtcNow() + lifetime).ToUnixTimeSeconds());
        return (CloseToken.Create(secret, id, expires), expires);
    }

    /// <summary>Whether <paramref name="token"/> closes <paramref name="id"/> now.</summary>
    public bool Accepts(string? token, BatchId id) => CloseToken.Verify(token, id, clock.GetUtcNow(), secret);
}
