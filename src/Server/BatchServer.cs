using BatchBuild.Core;
using BatchBuild.Core.Api;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Store;
using BatchBuild.Store;
using BatchBuild.Store.Postgres;
using Microsoft.Extensions.Options;

namespace BatchBuild.Server;

/// <summary>
/// The batch server: one place for the batches, results and duration history of CI runs on many
/// agents. It builds the ASP.NET Core application from configuration, opens (and migrates) the
/// store, and runs the auto-close sweeper and the notification outbox beside the API.
/// </summary>
public static class BatchServer
{
    /// <summary>The server's command line: run, or one of the key commands.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "new-key":
                var key = ApiKeys.NewKey();
                Console.WriteLine($"key:  {key}");
                Console.WriteLine($"hash: {ApiKeys.Hash(key)}");
                return 0;
            case "hash-key":
                var presented = args.Length > 1 ? args[1] : Console.In.ReadLine();
                if (string.IsNullOrWhiteSpace(presented))
                {
                    await Console.Error.WriteLineAsync(
                        $"{DiagnosticCodes.InvalidServerConfiguration}: give the key to hash as an argument or on "
                        + "standard input");
                    return 2;
                }

                Console.WriteLine(ApiKeys.Hash(presented.Trim()));
                return 0;
        }

        var (app, problems) = await CreateAsync(args);
        if (app is null)
        {
            foreach (var problem in problems)
            {
                await Console.Error.WriteLineAsync(problem);
            }

            return 2;
        }

        await using (app)
        {
            await app.RunAsync();
        }

        return 0;
    }

    /// <summary>
    /// Builds the server, or returns the configuration and store problems that keep it from
    /// starting, each with its BB code. <paramref name="configure"/> adjusts the builder (tests
    /// give configuration and a clock).
    /// </summary>
    public static async Task<(WebApplication? App, IReadOnlyList<string> Problems)> CreateAsync(
        string[] args,
        Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        ServerOptions options;
        try
        {
            options = builder.Configuration.GetSection(
                ServerOptions.Section).Get<ServerOptions>() ?? new ServerOptions();
        }
        catch (InvalidOperationException e)
        {
            // A value the binder cannot convert, such as a time span past TimeSpan.MaxValue.
            return (
                null,
                [
                    $"{DiagnosticCodes.InvalidServerConfiguration}: {e.Message.Split(Environment.NewLine)[0]}; "
                    + "see the README's server settings",
                ]);
        }

        IReadOnlyList<string> problems = [
            .. options.Validate(),
            .. HostGuard.Problems(builder.Configuration[HostGuard.Key], options)];
        if (problems.Count > 0)
        {
            return (null, problems);
        }

        if (builder.Services.LastOrDefault(
            service => service.ServiceType == typeof(TimeProvider))?.ImplementationInstance is not TimeProvider clock)
        {
            clock = TimeProvider.System;
            builder.Services.AddSingleton(clock);
        }

        var storeOptions = new BatchStoreOptions(
            new BatchLimits(options.IdleTimeout, options.MaxBatchAge),
            options.NotifyOnCompletion,
            clock)
        {
            NotificationRetryDelay = options.NotificationRetryDelay,
        };
        SqlBatchStore store;
        try
        {
            store = options.Provider == "postgres"
                ? await PostgresDialect.OpenAsync(options.ConnectionString, storeOptions)
                : SqliteBatchStore.Open(options.ConnectionString, storeOptions, pooling: true);
        }
        catch (StoreException e)
        {
            return (null, [$"{e.Code}: {e.Message}"]);
        }

        byte[] tokenSecret;
        try
        {
            tokenSecret = await store.SecretAsync(CloseTokenIssuer.SecretName, CloseToken.SecretBytes);
        }
        catch (Exception e) when (IsStoreFailure(e))
        {
            store.Dispose();
            return (
                null,
                [
                    $"{DiagnosticCodes.StoreUnavailable}: {store.Description} cannot keep the server's close-token "
                    + $"secret ({e.Message}); check that the user may write to it",
                ]);
        }

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = options.MaxRequestBytes);
        QueryKeyRedaction.Install(builder.Services);
        HostGuard.Install(builder.Services);
        builder.Services.AddSingleton(Options.Create(options));
        builder.Services.AddSingleton(ApiKeys.From(options));
        builder.Services.AddSingleton(_ => store);
        builder.Services.AddSingleton<IBatchStore>(store);
        builder.Services.AddSingleton<IBatchBrowser>(store);
        builder.Services.AddSingleton<INotificationOutbox>(store);
        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddSingleton<AgentQueues>();
        builder.Services.AddSingleton<ReadinessProbe>();
        builder.Services.AddSingleton(new CloseTokenIssuer(tokenSecret, options.MaxBatchAge, clock));
        // Each try is cut off after WebhookTimeout by the outbox, not by the client's 100 seconds;
        // the outbox logs each try itself, with the URL redacted (webhook URLs often hold a secret).
        builder.Services.AddHttpClient(
            NotificationOutbox.HttpClientName,
            client => client.Timeout = Timeout.InfiniteTimeSpan).RemoveAllLoggers();
        builder.Services.AddHostedService<BatchSweeper>();
        builder.Services.AddHostedService<NotificationOutbox>();
        builder.Services.AddProblemDetails(problems => problems.CustomizeProblemDetails = WithCode);
        builder.Services.ConfigureHttpJsonOptions(
            json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJson.Default));

        var app = builder.Build();
        app.UseExceptionHandler(new ExceptionHandlerOptions { StatusCodeSelector = StatusOf });
        app.UseStatusCodePages();
        app.Use((http, next) =>
        {
            http.Response.Headers.XContentTypeOptions = "nosniff";
            return next();
        });
        app.Use(CrossSiteGuard.InvokeAsync);
        app.MapBatchBuildApi();
        app.MapNotificationApi();
        app.MapDashboard();
        return (app, []);
    }

    /// <summary>Whether <paramref name="exception"/> says the store cannot be reached or used now.</summary>
    internal static bool IsStoreFailure(Exception exception) =>
        exception is StoreException or System.Data.Common.DbException or TimeoutException;

    // A value the database refuses is the client's trouble: 400, so a client never takes it for an
    // outage and retries it forever. That is a data exception (class 22) or a value past one of
    // the database's own size limits (54000), which the same request meets every time it is sent.
    // A store that cannot be reached is the server's: 503, so clients retry.
    private static int StatusOf(Exception exception) => exception switch
    {
        Npgsql.PostgresException { SqlState: var state } when state.StartsWith(
            "22",
            StringComparison.Ordinal) => StatusCodes.Status400BadRequest,
        Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.ProgramLimitExceeded } =>
            StatusCodes.Status400BadRequest,
        _ when IsStoreFailure(exception) => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    // Every problem document carries a BB code, also those ASP.NET Core writes itself (unhandled
    // exceptions, unknown routes); an exception's message never reaches the client.
    private static void WithCode(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (problem.Extensions.ContainsKey("code"))
        {
            return;
        }

        var (code, detail) = problem.Status switch
        {
            StatusCodes.Status503ServiceUnavailable => (
                DiagnosticCodes.StoreUnavailable,
                "the store cannot be used right now; try again later (the server log says why)"),
            StatusCodes.Status400BadRequest when context.Exception is Npgsql.PostgresException
            {
                SqlState: Npgsql.PostgresErrorCodes.ProgramLimitExceeded,
            } =>
                (
                    DiagnosticCodes.ValueTooLargeForDatabase,
                    "the request holds a value larger than the database can keep (the server log names it); send "
                    + "shorter names, or tell the server's operator, since the API's own limits allow it"),
            StatusCodes.Status400BadRequest when context.Exception is not null => (
                DiagnosticCodes.InvalidRequest,
                "the request holds a value the database cannot store; check the text and numbers sent"),
            StatusCodes.Status400BadRequest => (
                DiagnosticCodes.InvalidRequest,
                "a route or query value is not of its type (pages and sequences are whole numbers, times ISO-8601); "
                + "see the README for the API"),
            StatusCodes.Status404NotFound or StatusCodes.Status405MethodNotAllowed => (
                DiagnosticCodes.NoSuchRoute,
                "the server has no such route or method; see the README for the API"),
            >= 500 => (DiagnosticCodes.ServerError, "the server failed on this request; the server log says why"),
            _ => (DiagnosticCodes.InvalidRequest, problem.Detail ?? problem.Title ?? "the request is not valid"),
        };
        problem.Extensions["code"] = code;
        problem.Detail = $"{code}: {detail}";
    }
}
