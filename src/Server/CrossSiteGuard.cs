using BatchBuild.Core;

namespace BatchBuild.Server;

/// <summary>
/// Refuses requests that change data when another site's page sent them. A browser lets any page
/// post a form to any server, with the user's network position and no preflight: against a server
/// that allows anonymous writes, that alone could close a batch. So a request that writes must not
/// come from a cross-site page (<c>Sec-Fetch-Site</c>, or an <c>Origin</c> other than the server's
/// own), and a POST must carry JSON or no body, never what a form sends (form data or plain
/// text), which a page could send without a preflight. A cross-site request with no body, which a
/// page's script could send, always carries an <c>Origin</c>. With anonymous writes, the
/// <c>Origin</c> must also name one of the allowed hosts (<see cref="HostGuard"/>). Browsers send
/// an <c>Origin</c> with every POST and DELETE; clients that are not browsers send neither header
/// and are not affected.
/// </summary>
internal static class CrossSiteGuard
{
    public static Task InvokeAsync(HttpContext http, Func<Task> next)
    {
        var request = http.Request;
        if (HttpMethods.IsGet(request.Method)
            || HttpMethods.IsHead(request.Method)
            || HttpMethods.IsOptions(request.Method))
        {
            return next();
        }

        var site = request.Headers["Sec-Fetch-Site"].FirstOrDefault();
        var origin = request.Headers.Origin.FirstOrDefault();
        var own = $"{request.Scheme}://{request.Host}";
        var anonymous = http.RequestServices.GetRequiredService<ApiKeys>().AllowAnonymous;
        if (site is "cross-site" or "same-site"
            || (origin is not null && (!string.Equals(
                origin,
                own,
                StringComparison.OrdinalIgnoreCase) || (anonymous && !HostGuard.AllowsOrigin(http, origin)))))
        {
            return Refuse(http, StatusCodes.Status403Forbidden, DiagnosticCodes.CrossSiteRequest,
                $"a request from another site's page ({origin ?? site}) may not change data here; call the API from a "
                + "CI step or a script, not from a web page");
        }

        // The content types a form can send without a preflight; JSON, or no body at all, is what
        // API clients send.
        if (HttpMethods.IsPost(request.Method)
            && request.ContentType is { } type && !type.StartsWith(
                "application/json",
                StringComparison.OrdinalIgnoreCase))
        {
            return Refuse(http, StatusCodes.Status415UnsupportedMediaType, DiagnosticCodes.InvalidRequest,
                $"a POST with Content-Type {type.Split(';')[0]} is what a web form sends; send JSON with Content-Type: "
                + "application/json, or no body where none is needed");
        }

        return next();
    }

    private static Task Refuse(HttpContext http, int status, string code, string detail) =>
        Api.Problem(status, code, detail).ExecuteAsync(http);
}
