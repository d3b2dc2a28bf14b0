using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using ScaleControl.Testing.Timing;

namespace ScaleControl.Sandbox.Tests.DingTalk;

/// <summary>A bare ClientWebSocket speaking the Stream protocol by hand (no SDK, no product code).</summary>
public sealed class RawStreamClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly Channel<JsonElement> _frames = Channel.CreateUnbounded<JsonElement>();
    private Task? _reader;

    /// <summary>Answer SYSTEM pings automatically (echoing data) so tests can focus on other frames.</summary>
    public bool AnswerPings { get; init; } = true;

    public WebSocketState State => _socket.State;
    public TaskCompletionSource Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<(string Endpoint, string Ticket)> OpenAsync(EmulatorHost host, params string[] callbackTopics)
    {
        var subscriptions = new List<object> { new { type = "EVENT", topic = "*" } };
        subscriptions.AddRange(callbackTopics.Select(t => new { type = "CALLBACK", topic = t }));
        var response = await host.Http.PostAsJsonAsync("v1.0/gateway/connections/open",
            new { clientId = host.App.AppKey, clientSecret = host.App.AppSecret, subscriptions, ua = "raw-test/1.0" });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("endpoint").GetString()!, body.GetProperty("ticket").GetString()!);
    }

    public static Task<RawStreamClient> ConnectAsync(EmulatorHost host, bool answerPings = true) =>
        ConnectAsync(host, answerPings, "/v1.0/card/instances/callback");

    public static async Task<RawStreamClient> ConnectAsync(EmulatorHost host, bool answerPings, params string[] callbackTopics)
    {
        var (endpoint, ticket) = await OpenAsync(host, callbackTopics);
        var before = await OpenConnectionsAsync(host);
        var client = new RawStreamClient { AnswerPings = answerPings };
        await client.ConnectAsync(new Uri($"{endpoint}?ticket={Uri.EscapeDataString(ticket)}"));
        // The socket is open on this side before the emulator has registered it (its handler adds the connection after
        // accepting the upgrade): under load a test that read stream/connections at once found it empty. Wait for it.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < Patience.Of(10) && await OpenConnectionsAsync(host) <= before)
        {
            await Task.Delay(25);
        }

        return client;
    }

    private static async Task<int> OpenConnectionsAsync(EmulatorHost host) =>
        (await host.Http.GetFromJsonAsync<JsonElement>("stream/connections")).EnumerateArray().Count(c => c.GetProperty("isOpen").GetBoolean());

    public async Task ConnectAsync(Uri uri)
    {
        await _socket.ConnectAsync(uri, CancellationToken.None);
        _reader = Task.Run(ReadLoopAsync);
    }

    public async Task<JsonElement> NextFrameAsync(string? type = null, TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? Patience.Of(10));
        while (true)
        {
            var frame = await _frames.Reader.ReadAsync(timeout.Token);
            if (type is null || frame.GetProperty("type").GetString() == type)
            {
                return frame;
            }
        }
    }

    public bool TryTakeFrame(out JsonElement frame) => _frames.Reader.TryRead(out frame);

    /// <summary>ACK with <paramref name="data"/> serialized into the string field, as the SDKs do.</summary>
    public Task AckAsync(JsonElement frame, object? data, int code = 200) =>
        SendRawAsync(new JsonObject
        {
            ["code"] = code,
            ["headers"] = new JsonObject { ["contentType"] = "application/json", ["messageId"] = frame.GetProperty("headers").GetProperty("messageId").GetString() },
            ["message"] = "OK",
            ["data"] = data is null ? null : JsonSerializer.Serialize(data),
        });

    public Task SendRawAsync(JsonNode frame) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(frame.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                var frame = JsonDocument.Parse(message.ToArray()).RootElement.Clone();
                if (AnswerPings && frame.GetProperty("type").GetString() == "SYSTEM"
                    && frame.GetProperty("headers").GetProperty("topic").GetString() == "ping")
                {
                    await SendRawAsync(new JsonObject
                    {
                        ["code"] = 200,
                        ["headers"] = new JsonObject { ["contentType"] = "application/json", ["messageId"] = frame.GetProperty("headers").GetProperty("messageId").GetString() },
                        ["message"] = "OK",
                        ["data"] = frame.GetProperty("data").GetString(),
                    });
                    continue;
                }

                await _frames.Writer.WriteAsync(frame);
            }
        }
        catch (WebSocketException)
        {
            // Server went away.
        }
        finally
        {
            Closed.TrySetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            }
            catch (WebSocketException)
            {
                // Already closing.
            }
        }

        if (_reader is not null)
        {
            await Task.WhenAny(_reader, Task.Delay(TimeSpan.FromSeconds(2)));
        }

        _socket.Dispose();
    }
}
