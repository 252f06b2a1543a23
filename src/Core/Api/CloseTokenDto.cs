namespace BatchBuild.Core.Api;

/// <summary>
/// A close token the server issued: <c>POST /api/v1/batches/{id}/close-token</c>. It closes that
/// batch ID on either close route, in <c>X-BatchBuild-Close-Token</c>, until it expires.
/// </summary>
public sealed record CloseTokenDto(string Token, DateTimeOffset ExpiresAt);
