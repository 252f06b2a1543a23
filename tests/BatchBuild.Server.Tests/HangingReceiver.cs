using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace BatchBuild.Server.Tests;

/// <summary>
/// A webhook receiver on 127.0.0.1 that accepts every connection and never answers: the request
/// is neither read nor answered until the receiver is disposed.
/// </summary>
internal sealed class HangingReceiver : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentQueue<TcpClient> _held = new();

    public HangingReceiver()
    {
        _listener.Start();
        _ = Task.Run(AcceptAsync);
    }

    public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/hang");

    /// <summary>How many connections it accepted.</summary>
    public int Accepted => _held.Count;

    public void Dispose()
    {
        _listener.Dispose();
        while (_held.TryDequeue(out var client))
        {
            client.Dispose();
        }
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            try
            {
                _held.Enqueue(await _listener.AcceptTcpClientAsync());
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
        }
    }
}
