using System.Text.Json;
using BatchBuild.Core.Api;

namespace BatchBuild.Client;

/// <summary>
/// Results that could not reach the batch server, kept as one JSON file per report in a local
/// folder until they are sent. Sending a file twice is harmless: the server keeps one result per
/// test and attempt. A report the server answered with an error while it took others gets a
/// strike in its file name (<c>….s1.json</c>); after <see cref="MaxStrikes"/> it is set aside in
/// <c>rejected/</c>, so one report the server cannot take never holds back the rest for good.
/// </summary>
public sealed partial class ResultSpool(string folder)
{
    /// <summary>How many times the server may refuse a report it could have taken before it is set aside.</summary>
    public const int MaxStrikes = 3;

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
    public static void Remove(string file)
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

    /// <summary>The strikes a spooled report has had.</summary>
    public static int StrikesOf(string file) =>
        StrikePattern().Match(Path.GetFileName(file)) is { Success: true } match ? int.Parse(
            match.Groups[1].Value,
            System.Globalization.CultureInfo.InvariantCulture) : 0;

    /// <summary>Gives a report a strike; returns its new file and how many strikes it has.</summary>
    public (string File, int Strikes) Strike(string file)
    {
        var strikes = StrikesOf(file) + 1;
        var name = StrikePattern().Replace(Path.GetFileName(file), ".json");
        var target = Path.Combine(Folder, $"{name[..^".json".Length]}.s{strikes}.json");
        try
        {
            File.Move(file, target, overwrite: true);
        }
        catch (FileNotFoundException)
        {
            // Sent or moved by another process meanwhile.
        }

        return (target, strikes);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\.s(\d+)\.json$")]
    private static partial System.Text.RegularExpressions.Regex StrikePattern();

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
