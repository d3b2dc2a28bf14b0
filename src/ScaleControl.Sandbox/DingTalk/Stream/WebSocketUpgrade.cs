using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace ScaleControl.Sandbox.DingTalk.Stream;

/// <summary>
/// Accepts a WebSocket whether or not the host added <c>UseWebSockets()</c>: the emulator is mounted into hosts it
/// does not own, so it completes the RFC 6455 handshake over the upgrade feature itself when it has to.
/// </summary>
internal static class WebSocketUpgrade
{
    private const string HandshakeGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    public static bool IsRequested(HttpContext http) =>
        http.WebSockets.IsWebSocketRequest
        || (http.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true }
            && string.Equals(http.Request.Headers.Upgrade, "websocket", StringComparison.OrdinalIgnoreCase)
            && !string.IsNullOrEmpty(http.Request.Headers.SecWebSocketKey));

    public static async Task<WebSocket> AcceptAsync(HttpContext http)
    {
        var keepAlive = TimeSpan.FromSeconds(30);
        if (http.WebSockets.IsWebSocketRequest)
        {
            return await http.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { KeepAliveInterval = keepAlive });
        }

        var key = http.Request.Headers.SecWebSocketKey.ToString();
        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + HandshakeGuid)));
        http.Response.Headers.Connection = "Upgrade";
        http.Response.Headers.Upgrade = "websocket";
        http.Response.Headers.SecWebSocketAccept = accept;
        var stream = await http.Features.Get<IHttpUpgradeFeature>()!.UpgradeAsync();
        return new UpgradedWebSocket(WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = keepAlive }), http);
    }
}
