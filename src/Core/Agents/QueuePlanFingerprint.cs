using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace BatchBuild.Core.Agents;

/// <summary>
/// The fingerprint of a queue's plan: a SHA-256 of every test batch's index, expected time and
/// tests, in order. The server answers a registration with it, and an agent that reads the plan
/// page by page checks that it read the same plan: not one that a restarted server built from
/// another agent's registration meanwhile.
/// </summary>
public static class QueuePlanFingerprint
{
    /// <summary>The fingerprint of <paramref name="plan"/>: <c>sha256:</c> and 64 lower-case hex digits.</summary>
    public static string Of(IEnumerable<QueuedTestBatch> plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        // Every text is preceded by its length, so that no two plans write the same bytes.
        foreach (var batch in plan)
        {
            Append(
                hash,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{batch.Index}|{batch.ExpectedMillis:R}|{batch.Tests.Count}|"));
            foreach (var test in batch.Tests)
            {
                Append(hash, string.Create(CultureInfo.InvariantCulture, $"{test.Length}:"));
                Append(hash, test);
            }
        }

        return "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void Append(IncrementalHash hash, string text) => hash.AppendData(Encoding.UTF8.GetBytes(text));
}
