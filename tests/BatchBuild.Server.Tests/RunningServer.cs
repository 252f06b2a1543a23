using System.Collections.Concurrent;
using System.Net.Http.Json;
using BatchBuild.Core.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BatchBuild.Server.Tests;

/// <summary>A clock the tests move by hand.</summary>
internal sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    private long _ticks = now.UtcTicks;

    public DateTimeOffset Now
    {
        get => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);
        set => Interlocked.Exchange(ref _ticks, value.UtcTicks);
    }

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>
/// The batch server, started in this process on 127.0.0.1 and a free port with real Kestrel, on a
/// test database; stopping it and starting another on the same database is a restart.
/// </summary>
internal sealed class RunningServer : IAsyncDisposable
{
    public const string Key = "bb_test-key-for-the-batch-server";

    private readonly WebApplication _app;

    private RunningServer(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
        Client = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
        Client.DefaultRequestHeaders.Add("X-BatchBuild-Api-Key", Key);
        Anonymous = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri Url { get; }

    /// <summary>A client that sends the accepted key.</summary>
    public HttpClient Client { get; }

    /// <summary>A client that sends no key.</summary>
    public HttpClient Anonymous { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<RunningServer> StartAsync(
        TestDatabase database,
        IDictionary<string, string?>? settings = null,
        TimeProvider? clock = null,
        int port = 0,
        ILoggerProvider? logs = null)
    {
        var configuration = new Dictionary<string, string?>
        {
            ["BatchBuild:Provider"] = database.Provider,
            ["BatchBuild:ConnectionString"] = database.Connection,
            ["BatchBuild:ApiKeyHashes:0"] = ApiKeys.Hash(Key),
            ["BatchBuild:OutboxInterval"] = "00:00:00.200",
            ["BatchBuild:SweepInterval"] = "00:00:00.200",
            ["Logging:LogLevel:Default"] = "Warning",

            // The name the tests call the server by; required with AllowAnonymous or OpenReads.
            ["AllowedHosts"] = "127.0.0.1",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        var (app, problems) = await BatchServer.CreateAsync(["--urls", $"http://127.0.0.1:{port}"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(configuration);
            if (clock is not null)
            {
                builder.Services.AddSingleton(clock);
            }

            if (logs is not null)
            {
                builder.Logging.AddProvider(logs);
            }
        });
        Assert.That(problems, Is.Empty);
        await app!.StartAsync();
        var address = app.Services.GetRequiredService<IServer>()
            .Features.Get<IServerAddressesFeature>()!
            .Addresses.Single();
        return new RunningServer(app, new Uri(address + "/"));
    }

    /// <summary>Reports <paramref name="results"/> with the accepted key.</summary>
    public async Task<ResultsResponse> ReportAsync(params ResultDto[] results)
    {
        using var response = await Client.PostAsJsonAsync(
            "api/v1/results",
            new ResultsRequest(results),
            ApiJson.Default.ResultsRequest);
        Assert.That((int)response.StatusCode, Is.EqualTo(200), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync(ApiJson.Default.ResultsResponse))!;
    }

    /// <summary>Reads one page of batches with the accepted key.</summary>
    public async Task<BatchPageDto> ListAsync(string query = "") =>
        (await Client.GetFromJsonAsync($"api/v1/batches{query}", ApiJson.Default.BatchPageDto))!;

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Anonymous.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Every line the server logs, at every level: the sink at the host's boundary.</summary>
internal sealed class LogCapture : ILoggerProvider
{
    public ConcurrentQueue<(string Category, LogLevel Level, string Text)> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            capture.Lines.Enqueue((category, LogLevel.Trace, $"scope: {state}"));
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(
            LogLevel logLevel,
            EventId eventId,
            TState state,
            Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            var properties = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(
                " ",
                pairs.Select(pair => $"{pair.Key}={pair.Value}")) : string.Empty;
            capture.Lines.Enqueue((category, logLevel, $"{formatter(state, exception)} {properties} {exception}"));
        }
    }
}
