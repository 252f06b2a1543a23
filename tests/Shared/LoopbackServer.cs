using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace BatchBuild.Tests.Shared;

/// <summary>
/// A real HTTP server on 127.0.0.1 and a free port, answering each request with what the test
/// says, and keeping what it received.
/// </summary>
internal sealed class LoopbackServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<Received, int, Task<(int Status, string Body)>> _answer;
    private int _count;
    private int _inFlight;

    public LoopbackServer(Func<Received, int, Task<int>> answer)
        : this(async (received, count) => (await answer(received, count), string.Empty))
    {
    }

    /// <summary>A server that answers with a status and a JSON body.</summary>
    public LoopbackServer(Func<Received, int, Task<(int Status, string Body)>> answer)
    {
        _answer = answer;
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _ = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}/");

    public ConcurrentQueue<Received> Requests { get; } = new();

    public int MostInFlight { get; private set; }

    /// <summary>A port nothing listens on now.</summary>
    public static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e)
                when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var inFlight = Interlocked.Increment(ref _inFlight);
        lock (Requests)
        {
            MostInFlight = Math.Max(MostInFlight, inFlight);
        }

        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var headers = context.Request.Headers.AllKeys
            .OfType<string>()
            .ToDictionary(k => k, k => context.Request.Headers[k] ?? "", StringComparer.OrdinalIgnoreCase);
        var received = new Received(
            context.Request.HttpMethod,
            context.Request.RawUrl ?? "",
            await reader.ReadToEndAsync(),
            headers);
        Requests.Enqueue(received);
        try
        {
            var (status, body) = await _answer(received, Interlocked.Increment(ref _count));
            context.Response.StatusCode = status;
            if (body.Length > 0)
            {
                context.Response.ContentType = "application/json";
                var bytes = Encoding.UTF8.GetBytes(body);
                await context.Response.OutputStream.WriteAsync(bytes);
            }

            context.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
        {
            // The client gave up (a timeout under test).
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
