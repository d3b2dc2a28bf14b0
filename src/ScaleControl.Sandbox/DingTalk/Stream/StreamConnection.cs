using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace ScaleControl.Sandbox.DingTalk.Stream;

/// <summary>
/// One client WebSocket on the Stream gateway. Sends frames (one at a time), reads the client's ACKs and matches
/// them to waiting pushes by <c>messageId</c>; anything that breaks the protocol is kept in <see cref="Violations"/>.
/// </summary>
public sealed class StreamConnection(string connectionId, StreamTicket ticket, WebSocket socket, DateTimeOffset openedAt)
{
    private const int MaxFrameBytes = 256 * 1024;

    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<StreamAck>> _waiting = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _violations = new();
    private int _acks;

    public string ConnectionId { get; } = connectionId;
    public string AppKey => ticket.AppKey;
    public IReadOnlyList<StreamSubscription> Subscriptions => ticket.Subscriptions;
    public string? Ua => ticket.Ua;
    public DateTimeOffset OpenedAt { get; } = openedAt;

    /// <summary>Set once a SYSTEM disconnect was sent: no new pushes go here.</summary>
    public bool Disconnecting { get; set; }

    public bool IsOpen => socket.State == WebSocketState.Open;
    public int AcksReceived => Volatile.Read(ref _acks);
    public int PingsSent { get; set; }
    public int PingsEchoed { get; set; }
    public IReadOnlyCollection<string> Violations => _violations;

    public bool Subscribes(string type, string topic) =>
        Subscriptions.Any(s => s.Type == type && (s.Topic == topic || (type == "EVENT" && s.Topic == "*")));

    /// <summary>Registers interest in the ACK of <paramref name="messageId"/> (call before sending the frame).</summary>
    public Task<StreamAck> ExpectAck(string messageId) =>
        _waiting.GetOrAdd(messageId, _ => new TaskCompletionSource<StreamAck>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void ForgetAck(string messageId) => _waiting.TryRemove(messageId, out _);

    public async Task SendAsync(StreamFrame frame, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(StreamJson.Serialize(frame));
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public async Task CloseAsync(string reason)
    {
        await _sendLock.WaitAsync();
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, reason, CancellationToken.None);
            }
        }
        catch (WebSocketException)
        {
            // Already gone: nothing to close.
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public void Abort() => socket.Abort();

    /// <summary>Reads client frames until the socket closes. WebSocket-level pings are answered by the runtime.</summary>
    public async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (socket.State is WebSocketState.Open or WebSocketState.CloseSent)
        {
            var result = await socket.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                if (socket.State == WebSocketState.CloseReceived)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken);
                }

                return;
            }

            message.Write(buffer, 0, result.Count);
            if (message.Length > MaxFrameBytes)
            {
                _violations.Enqueue($"client frame larger than {MaxFrameBytes} bytes");
                await socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, "frame too large", cancellationToken);
                return;
            }

            if (result.EndOfMessage)
            {
                OnClientFrame(Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length));
                message.SetLength(0);
            }
        }
    }

    private void OnClientFrame(string text)
    {
        StreamAck ack;
        try
        {
            ack = ParseAck(text);
        }
        catch (Exception error) when (error is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            _violations.Enqueue($"unreadable client frame: {error.Message}");
            return;
        }

        Interlocked.Increment(ref _acks);
        if (_waiting.TryRemove(ack.MessageId, out var waiter))
        {
            waiter.TrySetResult(ack);
        }
        else
        {
            _violations.Enqueue($"ACK for unknown or already answered messageId {ack.MessageId}");
        }
    }

    private StreamAck ParseAck(string text)
    {
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        var messageId = root.GetProperty("headers").GetProperty("messageId").GetString()
            ?? throw new InvalidOperationException("headers.messageId is null");
        if (!root.TryGetProperty("code", out var code) || code.ValueKind != JsonValueKind.Number)
        {
            throw new InvalidOperationException("code must be a number");
        }

        string? data = null;
        if (root.TryGetProperty("data", out var dataElement))
        {
            if (dataElement.ValueKind == JsonValueKind.String)
            {
                data = dataElement.GetString();
            }
            else if (dataElement.ValueKind != JsonValueKind.Null)
            {
                // DingTalk reads data as a string; anything else is dropped, so the card is not updated.
                _violations.Enqueue($"ACK {messageId}: data must be a JSON string, got {dataElement.ValueKind}");
            }
        }

        var message = root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
        return new StreamAck(code.GetInt32(), messageId, message, data);
    }
}
