using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace ScaleControl.Sandbox.DingTalk.Stream;

/// <summary>
/// The Stream gateway's server side: live connections per app, pushes to one randomly chosen subscribed
/// connection, SYSTEM ping/disconnect, and re-push of EVENT frames nobody ACKed.
/// </summary>
public sealed partial class StreamGateway(DingTalkSandboxOptions options, Platform.SandboxDirectory directory, TimeProvider time, ILogger<StreamGateway> logger)
{
    /// <summary>Delivery attempts per EVENT (a push, or a wait for a connection) before it is given up.</summary>
    private const int MaxEventPushes = 5;

    private readonly ConcurrentDictionary<string, StreamConnection> _connections = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PushedEvent> _events = new(StringComparer.Ordinal);
    private long _sequence;

    public IReadOnlyList<StreamConnection> Connections => [.. _connections.Values.OrderBy(c => c.OpenedAt)];
    public IReadOnlyList<PushedEvent> Events => [.. _events.Values];

    /// <summary>Serves one accepted WebSocket until it closes.</summary>
    public async Task RunAsync(WebSocket socket, StreamTicket ticket, CancellationToken cancellationToken)
    {
        var connection = new StreamConnection(Guid.NewGuid().ToString("N"), ticket, socket, time.GetUtcNow());
        _connections[connection.ConnectionId] = connection;
        LogConnected(logger, connection.ConnectionId, ticket.AppKey);
        using var pinger = options.StreamPingInterval > TimeSpan.Zero
            ? time.CreateTimer(_ => _ = PingAsync(connection), null, options.StreamPingInterval, options.StreamPingInterval)
            : null;
        try
        {
            await connection.ReceiveLoopAsync(cancellationToken);
        }
        catch (Exception error) when (error is WebSocketException or OperationCanceledException)
        {
            LogDropped(logger, connection.ConnectionId, error.Message);
        }
        finally
        {
            _connections.TryRemove(connection.ConnectionId, out _);
            LogClosed(logger, connection.ConnectionId);
        }
    }

    public StreamConnection? Find(string connectionId) => _connections.GetValueOrDefault(connectionId);

    /// <summary>Each push goes to one randomly chosen open, subscribed connection of the app (not one in <paramref name="tried"/>).</summary>
    public StreamConnection? Pick(string appKey, string type, string topic, IReadOnlySet<string>? tried = null)
    {
        var candidates = _connections.Values
            .Where(c => c.AppKey == appKey && c.IsOpen && !c.Disconnecting && c.Subscribes(type, topic) && tried?.Contains(c.ConnectionId) != true)
            .ToArray();
        return candidates.Length == 0 ? null : candidates[Random.Shared.Next(candidates.Length)];
    }

    public StreamFrame NewFrame(StreamConnection connection, string type, string topic, string data, string? messageId = null,
        IReadOnlyDictionary<string, string>? extraHeaders = null)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["appId"] = UnifiedAppIdOf(connection.AppKey),
            ["connectionId"] = connection.ConnectionId,
            ["contentType"] = "application/json",
            ["messageId"] = messageId ?? NewMessageId(),
            ["time"] = time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            ["topic"] = topic,
        };
        foreach (var (key, value) in extraHeaders ?? new Dictionary<string, string>())
        {
            headers[key] = value;
        }

        return new StreamFrame("1.0", type, headers, data);
    }

    /// <summary>Sends a frame and waits for its ACK; null when none came within <paramref name="timeout"/>.</summary>
    public async Task<StreamAck?> SendAndAwaitAckAsync(StreamConnection connection, StreamFrame frame, TimeSpan timeout)
    {
        // The clock starts before the frame leaves: a client that answers (or a test clock that moves) right after
        // receiving it must find the timeout already running, or the wait would start late and could never end.
        var ack = connection.ExpectAck(frame.MessageId).WaitAsync(timeout, time);
        try
        {
            await connection.SendAsync(frame, CancellationToken.None);
            return await ack;
        }
        catch (Exception error) when (error is TimeoutException or WebSocketException or ObjectDisposedException)
        {
            connection.ForgetAck(frame.MessageId);
            return null;
        }
    }

    /// <summary>SYSTEM ping with opaque data the client must echo back.</summary>
    public async Task<bool> PingAsync(StreamConnection connection)
    {
        var opaque = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var data = $$"""{"opaque":"{{opaque}}"}""";
        var frame = NewFrame(connection, "SYSTEM", "ping", data);
        connection.PingsSent++;
        var ack = await SendAndAwaitAckAsync(connection, frame, options.CallbackTimeout);
        var echoed = ack is { Code: 200 } && ack.Data == data;
        if (echoed)
        {
            connection.PingsEchoed++;
        }

        return echoed;
    }

    /// <summary>SYSTEM disconnect, then the socket is closed after the grace period (10 s on DingTalk).</summary>
    public async Task DisconnectAsync(StreamConnection connection, string reason)
    {
        connection.Disconnecting = true;
        var data = System.Text.Json.JsonSerializer.Serialize(new { reason });
        var frame = NewFrame(connection, "SYSTEM", "disconnect", data);
        _ = connection.ExpectAck(frame.MessageId); // SDKs ACK it; the ACK is optional, so nobody waits for it.
        try
        {
            await connection.SendAsync(frame, CancellationToken.None);
        }
        catch (WebSocketException)
        {
            return;
        }

        _ = CloseLaterAsync(connection, reason);
    }

    /// <summary>Pushes an EVENT and keeps re-pushing it (same messageId) until some connection ACKs it.</summary>
    public PushedEvent PushEvent(string appKey, string eventType, string data)
    {
        var pushed = new PushedEvent(NewMessageId(), Guid.NewGuid().ToString("N"), appKey, eventType, data, time.GetUtcNow());
        _events[pushed.MessageId] = pushed;
        _ = DeliverEventAsync(pushed);
        return pushed;
    }

    private async Task DeliverEventAsync(PushedEvent pushed)
    {
        var headers = new Dictionary<string, string>
        {
            ["eventId"] = pushed.EventId,
            ["eventBornTime"] = pushed.BornAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            ["eventCorpId"] = directory.FindApp(pushed.AppKey)?.CorpId ?? "",
            ["eventType"] = pushed.EventType,
            ["eventUnifiedAppId"] = UnifiedAppIdOf(pushed.AppKey),
        };
        for (var attempt = 0; attempt < MaxEventPushes; attempt++)
        {
            if (Pick(pushed.AppKey, "EVENT", "*") is { } connection)
            {
                pushed.Pushes++;
                var frame = NewFrame(connection, "EVENT", "*", pushed.Data, pushed.MessageId, headers);
                if (await SendAndAwaitAckAsync(connection, frame, options.EventRedeliveryInterval) is { Code: 200 } ack
                    && ack.Data?.Contains("\"SUCCESS\"", StringComparison.Ordinal) == true)
                {
                    pushed.AckedBy = connection.ConnectionId;
                    return;
                }

                LogEventRepush(logger, pushed.MessageId, pushed.Pushes);
            }
            else
            {
                await Task.Delay(options.EventRedeliveryInterval, time);
            }
        }
    }

    private string UnifiedAppIdOf(string appKey) => directory.FindApp(appKey)?.UnifiedAppId ?? appKey;

    private async Task CloseLaterAsync(StreamConnection connection, string reason)
    {
        await Task.Delay(options.DisconnectGrace, time);
        await connection.CloseAsync(reason);
        await Task.Delay(options.CallbackTimeout, time);
        connection.Abort();
    }

    private string NewMessageId() =>
        string.Create(CultureInfo.InvariantCulture,
            $"{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}_{Interlocked.Increment(ref _sequence)}_{time.GetUtcNow().ToUnixTimeMilliseconds():x}_{Random.Shared.Next(0x10000, 0xfffff):x}");

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream connection {ConnectionId} opened for app {AppKey}")]
    private static partial void LogConnected(ILogger logger, string connectionId, string appKey);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream connection {ConnectionId} closed")]
    private static partial void LogClosed(ILogger logger, string connectionId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stream connection {ConnectionId} dropped: {Reason}")]
    private static partial void LogDropped(ILogger logger, string connectionId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "EVENT {MessageId} not ACKed after push {Pushes}; pushing again")]
    private static partial void LogEventRepush(ILogger logger, string messageId, int pushes);
}

/// <summary>An EVENT frame and its delivery state (re-pushed until ACKed with status SUCCESS).</summary>
public sealed class PushedEvent(string messageId, string eventId, string appKey, string eventType, string data, DateTimeOffset bornAt)
{
    public string MessageId { get; } = messageId;
    public string EventId { get; } = eventId;
    public string AppKey { get; } = appKey;
    public string EventType { get; } = eventType;
    public string Data { get; } = data;
    public DateTimeOffset BornAt { get; } = bornAt;
    public int Pushes { get; set; }
    public string? AckedBy { get; set; }
}
