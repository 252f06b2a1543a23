using System.Net.Sockets;
using System.Text;

namespace BatchBuild.Server.Tests;

/// <summary>
/// One HTTP/1.1 request written byte for byte on a socket to 127.0.0.1: what <see cref="HttpClient"/>
/// cannot send, such as a path with dot segments, which <see cref="Uri"/> removes before sending.
/// </summary>
internal static class RawHttp
{
    /// <summary>
    /// Sends <paramref name="method"/> <paramref name="target"/> with <paramref name="headers"/> and answers the
    /// status code and body.
    /// </summary>
    public static async Task<(int Status, string Body)> SendAsync(
        Uri server,
        string method,
        string target,
        params string[] headers)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port, timeout.Token);
        await using var stream = client.GetStream();
        var request = new StringBuilder()
            .Append(
                $"{method} {target} HTTP/1.1\r\nHost: {server.Authority}\r\n"
                + "Connection: close\r\nContent-Length: 0\r\n");
        foreach (var header in headers)
        {
            request.Append(header).Append("\r\n");
        }

        await stream.WriteAsync(Encoding.ASCII.GetBytes(request.Append("\r\n").ToString()), timeout.Token);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync(timeout.Token);
        var status = int.Parse(response.Split(' ', 3)[1], System.Globalization.CultureInfo.InvariantCulture);
        return (status, response.Split("\r\n\r\n", 2) is [_, var body] ? body : string.Empty);
    }
}
