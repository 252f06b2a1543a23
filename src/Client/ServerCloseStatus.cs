namespace BatchBuild.Client;

/// <summary>How closing one batch on a server ended.</summary>
public enum ServerCloseStatus
{
    /// <summary>The server closed it (2xx).</summary>
    Closed,

    /// <summary>The server does not know the ID (404).</summary>
    Unknown,

    /// <summary>The server refused the API key (401, 403).</summary>
    Rejected,

    /// <summary>Another answer, or no answer after the retries.</summary>
    Failed,
}
