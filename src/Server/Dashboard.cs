using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace BatchBuild.Server;

/// <summary>
/// The dashboard: one page, served from the assembly, that reads the API. It is served with a
/// content security policy that allows only its own inline script and style (by their hashes) and
/// requests to this server, and that no other site may frame it.
/// </summary>
internal static partial class Dashboard
{
    public static void MapDashboard(this WebApplication app)
    {
        app.MapGet("/", (HttpContext http) =>
        {
            var headers = http.Response.Headers;
            headers.ContentSecurityPolicy = Policy.Value;
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            return Results.Content(Page.Value, "text/html; charset=utf-8");
        });
    }

    private static readonly Lazy<string> Page = new(() =>
    {
        using var stream = typeof(Dashboard).Assembly.GetManifestResourceStream("BatchBuild.Server.dashboard.html")
            ?? throw new InvalidOperationException("The dashboard page is missing from the server assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    private static readonly Lazy<string> Policy = new(() =>
        $"default-src 'none'; script-src {Hashes(ScriptElement())}; style-src {Hashes(StyleElement())}; "
        + "connect-src 'self'; img-src 'self' data:; "
        + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'");

    private static string Hashes(Regex element) =>
        string.Join(' ', element.Matches(Page.Value).Select(match => $"'sha256-{Hash(match.Groups[1].Value)}'"));

    private static string Hash(string text) => Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    [GeneratedRegex("<script>(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex ScriptElement();

    [GeneratedRegex("<style>(.*?)</style>", RegexOptions.Singleline)]
    private static partial Regex StyleElement();
}
