namespace BatchBuild.Server;

/// <summary>What an endpoint does with the data.</summary>
internal enum Access
{
    Read,
    Write,
}
