using BatchBuild.Core;
using BatchBuild.Core.Batches;

namespace BatchBuild.Server;

/// <summary>
/// Lets a request through only with an accepted API key from the <c>X-BatchBuild-Api-Key</c>
/// header. On the visual-testing close route the key may also come in the <c>x-eyes-api-key</c>
/// header or, from old clients, the <c>apiKey</c> query parameter (taken out of the URL before
/// anything logs it: <see cref="QueryKeyRedaction"/>); on both close routes a
/// <see cref="CloseToken"/> the server issued for the route's batch ID will do instead of a key. Reads pass without a
/// key when the server opens them.
/// </summary>
internal sealed class KeyFilter(Access access, bool eyes = false, bool closes = false) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var keys = http.RequestServices.GetRequiredService<ApiKeys>();
        var options = http.RequestServices
            .GetRequiredService<Microsoft.Extensions.Options.IOptions<ServerOptions>>()
            .Value;
        if (keys.AllowAnonymous || (access == Access.Read && options.OpenReads))
        {
            return await next(context);
        }

        var presented = http.Request.Headers[Api.KeyHeader].FirstOrDefault();
        if (eyes)
        {
            presented ??= http.Request.Headers["x-eyes-api-key"].FirstOrDefault()
                ?? http.Features.Get<QueryApiKey>()?.Key;
        }

        if (keys.Accepts(presented))
        {
            return await next(context);
        }

        var token = closes ? http.Request.Headers[CloseToken.Header].FirstOrDefault() : null;
        if (token is not null
            && BatchId.TryCreate(Api.RouteId(http), out var id, out _)
            && http.RequestServices.GetRequiredService<CloseTokenIssuer>().Accepts(token, id))
        {
            return await next(context);
        }

        return Api.Problem(
            StatusCodes.Status401Unauthorized,
            DiagnosticCodes.Unauthorized,
            (presented, token) switch
            {
                (null, null) => $"no API key; send it in the {Api.KeyHeader} header (BatchBuildApiKey)",
                (null, _) when CloseToken.IsRetired(token) =>
                    "the close token has the form of BatchBuild before close tokens were issued by the server "
                    + "(bbc1.), which no server accepts any more; close with the API key",
                (null, _) =>
                    "the close token is not accepted: another server issued it, it is for another batch ID, or it "
                    + "has expired; close with the API key",
                _ => "the API key is not accepted; check BatchBuildApiKey against the server's BatchBuild:ApiKeyHashes",
            });
    }
}
