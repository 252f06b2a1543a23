using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace BatchBuild.Tests.Shared;

/// <summary>
/// A minimal forward proxy on 127.0.0.1 that asks for Basic credentials, keeps the request line and
/// credentials it got, and answers 200 itself.
/// </summary>
internal sealed class LoopbackProxy : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

    public LoopbackProxy()
    {
        _listener.Start();
        _ = Task.Run(LoopAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public ConcurrentQueue<(string RequestLine, string? Authorization)> Requests { get; } = new();

    public void Dispose() => _listener.Dispose();

    private async Task LoopAsync()
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using (client)
                {
                    var stream = client.GetStream();
                    var reader = new StreamReader(stream, Encoding.ASCII);
                    while (await reader.ReadLineAsync() is { Length: > 0 } requestLine)
                    {
                        string? authorization = null;
                        while (await reader.ReadLineAsync() is { Length: > 0 } header)
                        {
                            if (header.StartsWith("Proxy-Authorization:", StringComparison.OrdinalIgnoreCase))
                            {
                                authorization = header["Proxy-Authorization:".Length..].Trim();
                            }
                        }

                        Requests.Enqueue((requestLine, authorization));
                        var answer = authorization is null
                            ? "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic "
                                + "realm=\"loopback\"\r\nContent-Length: 0\r\n\r\n"
                            : "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
                        var bytes = Encoding.ASCII.GetBytes(answer);
                        await stream.WriteAsync(bytes);
                        await stream.FlushAsync();
                    }
                }
            });
        }
    }
}
