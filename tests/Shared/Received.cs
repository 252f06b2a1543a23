namespace BatchBuild.Tests.Shared;

/// <summary>A request the loopback server received.</summary>
internal sealed record Received(string Method, string RawUrl, string Body, IReadOnlyDictionary<string, string> Headers);
