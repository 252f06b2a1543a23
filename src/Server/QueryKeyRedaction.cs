using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;

namespace BatchBuild.Server;

/// <summary>
/// Takes the <c>apiKey</c> query parameter out of every request before anything sees the URL:
/// ASP.NET Core's hosting logs each request's URL before the first middleware runs, at a level a
/// server started without its appsettings.json (or with any logging configuration) may write. The
/// key is kept as a <see cref="QueryApiKey"/> feature for the close route, which old clients call
/// that way; every other part of the server, its logs included, sees the URL without it.
/// </summary>
internal sealed class QueryKeyRedaction(IServer server) : IServer
{
    private const string Parameter = "apiKey";

    public IFeatureCollection Features => server.Features;

    public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
        where TContext : notnull =>
        server.StartAsync(new Redacting<TContext>(application), cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => server.StopAsync(cancellationToken);

    public void Dispose() => server.Dispose();

    /// <summary>Replaces the server the host registered with one that redacts it.</summary>
    public static void Install(IServiceCollection services)
    {
        var registered = services.Last(service => service.ServiceType == typeof(IServer));
        services.Remove(registered);
        services.AddSingleton<IServer>(provider => new QueryKeyRedaction(registered switch
        {
            { ImplementationInstance: IServer instance } => instance,
            { ImplementationFactory: { } factory } => (IServer)factory(provider),
            _ => (IServer)ActivatorUtilities.CreateInstance(provider, registered.ImplementationType!),
        }));
    }

    /// <summary>
    /// The query without its <c>apiKey</c> parameters, and the first key found. A name is compared
    /// decoded, as ASP.NET Core's query parser reads it: <c>api%4Bey</c> is <c>apiKey</c> too.
    /// </summary>
    internal static (string Query, string? Key) Redact(string query)
    {
        if (query.Length == 0 || (!query.Contains('%') && !query.Contains(
            Parameter,
            StringComparison.OrdinalIgnoreCase)))
        {
            return (query, null);
        }

        string? key = null;
        var kept = new List<string>();
        foreach (var pair in query.TrimStart('?').Split('&'))
        {
            var name = Uri.UnescapeDataString(pair.Split('=', 2)[0].Replace('+', ' '));
            if (name.Equals(Parameter, StringComparison.OrdinalIgnoreCase))
            {
                key ??= pair.Contains('=')
                    ? Uri.UnescapeDataString(pair.Split('=', 2)[1].Replace('+', ' '))
                    : string.Empty;
            }
            else if (pair.Length > 0)
            {
                kept.Add(pair);
            }
        }

        return (kept.Count == 0 ? string.Empty : "?" + string.Join('&', kept), key);
    }

    private sealed class Redacting<TContext>(IHttpApplication<TContext> application) : IHttpApplication<TContext>
        where TContext : notnull
    {
        public TContext CreateContext(IFeatureCollection contextFeatures)
        {
            if (contextFeatures.Get<IHttpRequestFeature>() is { } request)
            {
                var (query, key) = Redact(request.QueryString);
                if (key is not null)
                {
                    request.QueryString = query;
                    var target = request.RawTarget;
                    var mark = target.IndexOf('?', StringComparison.Ordinal);
                    request.RawTarget = (mark < 0 ? target : target[..mark]) + query;
                    contextFeatures.Set(new QueryApiKey(key));
                }
            }

            return application.CreateContext(contextFeatures);
        }

        public Task ProcessRequestAsync(TContext context) => application.ProcessRequestAsync(context);

        public void DisposeContext(TContext context, Exception? exception) =>
            application.DisposeContext(context, exception);
    }
}
