using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using ScaleControl.Server.Tests.Infrastructure;
using ScaleControl.Testing.Timing;

namespace ScaleControl.Server.Tests.Hosting;

/// <summary>
/// Kestrel set no cap on concurrent connections: whoever reached the port could hold any number open. Now
/// <c>ScaleControl:Connections:MaxConcurrent</c> caps them (here 2): a third is closed as soon as it is accepted while
/// two are open, and served once one of them closes. Real sockets against Kestrel.
/// </summary>
public sealed class ConnectionLimitTests : IAsyncLifetime
{
    // HEAD: the answer is its head only, so the next request on the connection reads its own answer.
    private const string Request = "HEAD /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

    private readonly ServerFactory _server = new();
    private readonly List<TcpClient> _connections = [];
    private int _port;

    public Task InitializeAsync()
    {
        _server.Settings["urls"] = "http://127.0.0.1:0";
        _server.Settings["ScaleControl:Connections:MaxConcurrent"] = "2";
        _server.UseKestrel();
        _server.StartServer();
        _port = new Uri(_server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _connections.ForEach(c => c.Dispose());
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task TwoOpen_TheThirdIsClosedUnserved_AndServedOnceOneOfThemCloses()
    {
        var first = await ConnectAsync();
        var second = await ConnectAsync();
        Assert.StartsWith("HTTP/1.1 200", await AskAsync(first), StringComparison.Ordinal); // both accepted and kept alive
        Assert.StartsWith("HTTP/1.1 200", await AskAsync(second), StringComparison.Ordinal);

        var third = await ConnectAsync();
        Assert.Equal("", await AskAsync(third)); // closed without an answer

        first.Dispose();
        string answer = "";
        Assert.True(await Patience.UntilAsync(async () => (answer = await AskAsync(await ConnectAsync())) != "", 10), "timed out waiting for the freed place");
        Assert.StartsWith("HTTP/1.1 200", answer, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 200", await AskAsync(second), StringComparison.Ordinal); // the one kept open is still served
    }

    private async Task<TcpClient> ConnectAsync()
    {
        var client = new TcpClient();
        _connections.Add(client);
        await client.ConnectAsync("127.0.0.1", _port);
        return client;
    }

    /// <summary>Sends a request and reads the answer's head; "" when the server closed the connection instead.</summary>
    private static async Task<string> AskAsync(TcpClient client)
    {
        using var giveUp = new CancellationTokenSource(Patience.Of(10)); // a connection left open unanswered fails the test
        var stream = client.GetStream();
        var head = new StringBuilder();
        var buffer = new byte[1024];
        try
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(Request), giveUp.Token);
            while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer, giveUp.Token);
                if (read == 0)
                {
                    return "";
                }

                head.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
        }
        catch (IOException)
        {
            return ""; // reset by the server
        }

        return head.ToString();
    }
}
