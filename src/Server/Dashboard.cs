namespace BatchBuild.Server;

/// <summary>The dashboard: one page, served from the assembly, that reads the API.</summary>
internal static class Dashboard
{
    public static void MapDashboard(this WebApplication app)
    {
        app.MapGet("/", () => Results.Content(Page.Value, "text/html; charset=utf-8"));
    }

    private static readonly Lazy<string> Page = new(() =>
    {
        using var stream = typeof(Dashboard).Assembly.GetManifestResourceStream("BatchBuild.Server.dashboard.html")
            ?? throw new InvalidOperationException("The dashboard page is missing from the server assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });
}
