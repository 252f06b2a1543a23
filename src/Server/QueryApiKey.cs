namespace BatchBuild.Server;

/// <summary>
/// The API key an old visual-testing client sent in the <c>apiKey</c> query parameter, taken out of the URL.
/// </summary>
/// <param name="Key">The key.</param>
internal sealed record QueryApiKey(string Key);
