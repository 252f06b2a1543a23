using BatchBuild.Core;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace BatchBuild.Server;

/// <summary>
/// Refuses a request whose <c>Host</c> is not one of the server's <c>AllowedHosts</c>, the list
/// ASP.NET Core's host filtering reads, before anything else sees it, with a problem document
/// (the framework's own filter, behind it, answers with a bare 400). It is what stops DNS
/// rebinding: a page on <c>evil.example</c> whose name an attacker points at the server is, to the
/// browser, on its own origin, so only the host name it sends gives it away. The list is required
/// whenever the server answers anybody without a key (<c>AllowAnonymous</c>, <c>OpenReads</c>).
/// </summary>
internal static class HostGuard
{
    /// <summary>The configuration key: the one ASP.NET Core's host filtering reads.</summary>
    public const string Key = "AllowedHosts";

    /// <summary>
    /// The problems with <paramref name="allowedHosts"/> (the configured value) under <paramref name="options"/>;
    /// empty when there are none.
    /// </summary>
    public static IReadOnlyList<string> Problems(string? allowedHosts, ServerOptions options)
    {
        var hosts = Parse(allowedHosts);
        if ((options.AllowAnonymous || options.OpenReads) && (hosts.Count == 0 || hosts.Contains("*")))
        {
            return [
                $"{DiagnosticCodes.InvalidServerConfiguration}: "
                + $"{(options.AllowAnonymous ? "BatchBuild:AllowAnonymous" : "BatchBuild:OpenReads")} answers requests "
                + "without a key, so a web page whose host name is pointed at this server (DNS rebinding) could use "
                + $"it; set {Key} to the host names clients call the server by, ';'-separated (e.g. "
                + $"{Key}=ci-batches;ci-batches.example.com), not '*'"];
        }

        return [];
    }

    /// <summary>The middleware, in front of every other one.</summary>
    public static void Install(IServiceCollection services) =>
        services.Insert(0, ServiceDescriptor.Transient<IStartupFilter, First>());

    /// <summary>Whether <paramref name="origin"/> (an <c>Origin</c> header) names one of the allowed hosts.</summary>
    public static bool AllowsOrigin(HttpContext http, string origin)
    {
        var hosts = Options(http).AllowedHosts;
        return hosts.Contains("*") || (Uri.TryCreate(
            origin,
            UriKind.Absolute,
            out var url) && Matches(url.Authority, hosts));
    }

    private static IReadOnlyList<string> Parse(string? allowedHosts) =>
        [.. (allowedHosts ?? string.Empty).Split(
            ';',
            StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private static HostFilteringOptions Options(HttpContext http) =>
        http.RequestServices.GetRequiredService<IOptionsMonitor<HostFilteringOptions>>().CurrentValue;

    // As the framework's filter matches: a host with or without its port against each entry in
    // its URL form (a Unicode name as punycode), "*.example.com" for its subdomains.
    private static bool Matches(string host, IList<string> allowedHosts) =>
        HostString.MatchesAny(
            new StringSegment(host),
            [.. allowedHosts.Select(entry => new StringSegment(new HostString(entry).ToUriComponent()))]);

    private static Task InvokeAsync(HttpContext http, Func<Task> next)
    {
        var options = Options(http);
        var host = http.Request.Headers.Host.ToString();
        var allowed = options.AllowedHosts.Contains("*") || (host.Length == 0 ? options.AllowEmptyHosts : Matches(
            host,
            options.AllowedHosts));
        return allowed
            ? next()
            : Api.Problem(
                StatusCodes.Status400BadRequest,
                DiagnosticCodes.HostNotAllowed,
                $"the host name '{host}' is not one this server answers to; call it by a name in its {Key} setting")
                .ExecuteAsync(http);
    }

    private sealed class First : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(InvokeAsync);
            next(app);
        };
    }
}
