using System.Text.Json;
using BatchBuild.Core.Api;

namespace BatchBuild.Client;

/// <summary>
/// Results that could not reach the batch server, kept as one JSON file per report in a local
/// folder until they are sent. Sending a file twice is harmless: the server keeps one result per
/// test and attempt.
/// </summary>
public sealed class ResultSpool(string folder)
{
    /// <summary>The spool folder.</summary>
    public string Folder { get; } = Path.GetFullPath(folder);

    /// <summary>Keeps <paramref name="request"/>; returns its file.</summary>
    public string Add(ResultsRequest request)
    {
        Directory.CreateDirectory(Folder);
        var file = Path.Combine(Folder, $"{DateTime.UtcNow.Ticks:D20}-{Guid.NewGuid():N}.json");
        var temporary = file + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(request, ApiJson.Default.ResultsRequest));
        File.Move(temporary, file);
        return file;
    }

    /// <summary>The kept reports, oldest first; a file another process removed meanwhile is skipped.</summary>
    public IEnumerable<(string File, ResultsRequest Request)> Pending()
    {
        if (!Directory.Exists(Folder))
        {
            yield break;
        }

        foreach (var file in Directory.GetFiles(Folder, "*.json").Order(StringComparer.Ordinal))
        {
            ResultsRequest? request;
            try
            {
                request = JsonSerializer.Deserialize(File.ReadAllText(file), ApiJson.Default.ResultsRequest);
            }
            catch (FileNotFoundException)
            {
                continue;
            }
            catch (JsonException)
            {
                Reject(file);
                continue;
            }

            if (request?.Results is { Count: > 0 })
            {
                yield return (file, request);
            }
        }
    }

    /// <summary>Forgets a report that was sent.</summary>
    public void Remove(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (DirectoryNotFoundException)
        {
            // Removed by another process already.
        }
    }

    /// <summary>Moves a report the server will never take out of the way; returns where it went.</summary>
    public string Reject(string file)
    {
        var rejected = Path.Combine(Folder, "rejected");
        Directory.CreateDirectory(rejected);
        var target = Path.Combine(rejected, Path.GetFileName(file));
        try
        {
            File.Move(file, target, overwrite: true);
        }
        catch (FileNotFoundException)
        {
            // Moved by another process already.
        }

        return target;
    }
}
