using System.Security.Cryptography;
using System.Text;

namespace BatchBuild.Core.Store;

/// <summary>
/// A place completion notifications are delivered to, as the store's outbox keeps it: a key that
/// tells targets apart without holding their URL (webhook URLs often carry a secret), and a name
/// for people.
/// </summary>
/// <param name="Key"><c>sha256:</c> and the hex digest of the target's full URL.</param>
/// <param name="Name">The URL without user information and query, for logs, the API and the dashboard.</param>
public sealed record NotificationTarget(string Key, string Name)
{
    /// <summary>The target of <paramref name="url"/>, shown as <paramref name="name"/>.</summary>
    public static NotificationTarget For(Uri url, string name) =>
        new($"sha256:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(url.AbsoluteUri)))}", name);
}
