using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ScaleControl.DingTalk.Api;
using ScaleControl.DingTalk.Callbacks;
using ScaleControl.DingTalk.Chat;
using ScaleControl.DingTalk.Configuration;

namespace ScaleControl.DingTalk.Stream;

/// <summary>
/// Receives card taps over DingTalk's Stream gateway (§4), the default callback mode: no public URL needed.
/// Keeps <see cref="DingTalkOptions.StreamConnections"/> connections open (DingTalk pushes each callback to one of
/// them, so while one is being replaced the other still takes taps). Each opens with a fresh single-use ticket, ACKs
/// every frame (echoing its messageId) and answers pings; on <c>disconnect</c> it opens its successor at once while
/// the old socket drains, and on loss it reconnects with backoff. Taps are de-duplicated by messageId. With
/// <see cref="DingTalkOptions.Chat"/> it also subscribes to people's messages to the robot and hands them to the
/// <see cref="ChatMessageHandler"/>.
/// </summary>
public sealed partial class DingTalkStreamClient(
    DingTalkApiClient api,
    CardCallbackHandler handler,
    ChatMessageHandler chat,
    DingTalkMetrics metrics,
    IOptionsMonitor<DingTalkOptions> options,
    TimeProvider timeProvider,
    ILogger<DingTalkStreamClient> logger) : BackgroundService
{
    public const string CardCallbackTopic = "/v1.0/card/instances/callback";

    /// <summary>People's messages to the robot (group @-mentions and one-to-one chats).</summary>
    public const string RobotMessageTopic = "/v1.0/im/bot/messages/get";

    /// <summary>How long a rotated-away connection may keep draining (the gateway closes it after ~10 s).</summary>
    private static readonly TimeSpan s_drainLimit = TimeSpan.FromSeconds(15);

    private static readonly StreamSubscription[] s_cardSubscriptions = [new("CALLBACK", CardCallbackTopic)];
    private static readonly StreamSubscription[] s_cardAndChatSubscriptions = [new("CALLBACK", CardCallbackTopic), new("CALLBACK", RobotMessageTopic)];

    private readonly MessageIdCache _handled = new(timeProvider);
    private int _connections;
    private CancellationToken _stopping;

    /// <summary>Connections opened so far (observability and tests).</summary>
    public int ConnectionsOpened => Volatile.Read(ref _connections);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        var settings = options.CurrentValue;
        if (settings.CallbackMode != DingTalkCallbackMode.Stream)
        {
            return;
        }

        await Task.WhenAll(Enumerable.Range(0, settings.StreamConnections).Select(_ => SuperviseAsync(stoppingToken)));
    }

    /// <summary>Keeps one connection slot filled until the host stops.</summary>
    private async Task SuperviseAsync(CancellationToken stoppingToken)
    {
        var backoff = new ReconnectBackoff();
        var draining = new List<Task>();
        while (!stoppingToken.IsCancellationRequested)
        {
            draining.RemoveAll(t => t.IsCompleted);
            var connection = new StreamConnection(OnFrameAsync);
            Task? running = null;
            try
            {
                var subscriptions = options.CurrentValue.Chat ? s_cardAndChatSubscriptions : s_cardSubscriptions;
                var opened = await api.OpenStreamConnectionAsync(subscriptions, stoppingToken);
                await connection.ConnectAsync(WithTicket(opened.Endpoint!, opened.Ticket!), stoppingToken);
                Interlocked.Increment(ref _connections);
                LogConnected(logger, opened.Endpoint!);
                running = connection.RunAsync(stoppingToken);
                if (await Task.WhenAny(running, connection.RotationRequested) == connection.RotationRequested)
                {
                    // Make before break: the next connection opens now, this one finishes what is in flight.
                    backoff.Reset();
                    draining.Add(DrainAsync(connection, running));
                    continue;
                }

                if (connection.ReceivedFrame)
                {
                    backoff.Reset();
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                if (running is not null)
                {
                    await running;
                }

                await connection.DisposeAsync();
                break;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Whatever went wrong (gateway refused, socket failed, bad endpoint), keep the slot alive and retry.
                LogConnectFailed(logger, e.Message);
            }

            if (running is not null)
            {
                await running;
            }

            await connection.DisposeAsync();
            if (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            var delay = backoff.NextDelay();
            LogReconnecting(logger, delay.TotalSeconds);
            try
            {
                await Task.Delay(delay, timeProvider, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        await Task.WhenAll(draining);
    }

    private async Task DrainAsync(StreamConnection connection, Task running)
    {
        LogRotating(logger);
        try
        {
            await running.WaitAsync(s_drainLimit, timeProvider);
        }
        catch (TimeoutException)
        {
            // The gateway did not close it: stop reading, let in-flight taps finish, then release it.
            await connection.CloseAsync();
            await running;
        }

        await connection.DisposeAsync();
    }

    private async Task OnFrameAsync(StreamConnection connection, StreamFrame frame)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            if (frame is { Type: StreamFrame.CallbackType, Topic: RobotMessageTopic } && !IsMyChat(frame))
            {
                await connection.SendAsync(StreamAck.NotHandled(frame.MessageId, "chat for another ScaleControl instance").ToUtf8Json(), CancellationToken.None);
                return;
            }

            if (frame is { Type: StreamFrame.CallbackType, Topic: CardCallbackTopic })
            {
                var answer = await HandleCardCallbackOnceAsync(frame);
                metrics.CallbackAnswered(started, "stream");
                var ack = answer is null
                    ? StreamAck.NotHandled(frame.MessageId, "card of another ScaleControl instance")
                    : StreamAck.Ok(frame.MessageId, answer);
                await connection.SendAsync(ack.ToUtf8Json(), CancellationToken.None);
                return;
            }

            var data = frame switch
            {
                { Type: StreamFrame.SystemType, Topic: "ping" } => frame.Data,
                { Type: StreamFrame.SystemType, Topic: "disconnect" } => Rotate(connection, frame),
                { Type: StreamFrame.SystemType } => null,
                { Type: StreamFrame.CallbackType, Topic: RobotMessageTopic } => AcceptChatMessage(frame),
                { Type: StreamFrame.CallbackType } => StreamAck.CallbackData<object>(null),
                { Type: StreamFrame.EventType } => """{"status":"SUCCESS","message":"ignored"}""",
                _ => null,
            };
            if (data is not null && frame.MessageId.Length > 0)
            {
                await connection.SendAsync(StreamAck.Ok(frame.MessageId, data).ToUtf8Json(), CancellationToken.None);
            }
        }
        catch (Exception e)
        {
            LogFrameFailed(logger, e, frame.Type, frame.Topic, frame.MessageId);
        }
    }

    /// <summary>Another instance's chat (ChatRouting) is handed back; an unreadable message is ours to log and drop.</summary>
    private bool IsMyChat(StreamFrame frame) =>
        !ChatbotMessage.TryParse(frame.Data, out var message, out _) || ChatRouting.IsMine(message, options.CurrentValue);

    /// <summary>ACKed at once (DingTalk would push it again otherwise); the command runs after, and answers on its own.</summary>
    private string AcceptChatMessage(StreamFrame frame)
    {
        var stopping = _stopping;
        _ = Task.Run(() => chat.HandleAsync(frame.Data, stopping), CancellationToken.None);
        return StreamAck.CallbackData<object>(null);
    }

    private string Rotate(StreamConnection connection, StreamFrame frame)
    {
        LogDisconnectRequested(logger, frame.Data);
        connection.RequestRotation();
        return frame.Data;
    }

    /// <summary>The ACK data for a tap, or null for another instance's card (not acknowledged as handled: DingTalk delivers it to another connection).</summary>
    private Task<string?> HandleCardCallbackOnceAsync(StreamFrame frame)
    {
        var ack = _handled.GetOrHandleAsync(frame.MessageId, () => HandleCardCallbackAsync(frame), out var duplicate);
        if (duplicate)
        {
            LogDuplicate(logger, frame.MessageId);
        }

        return ack;
    }

    private async Task<string?> HandleCardCallbackAsync(StreamFrame frame)
    {
        if (!CardCallback.TryParse(frame.Data, out var callback, out var error))
        {
            LogBadCallback(logger, frame.MessageId, error);
            return StreamAck.CallbackData(new { });
        }

        return await handler.HandleAsync(callback, CancellationToken.None) is { } reply ? StreamAck.CallbackData(reply) : null;
    }

    private static Uri WithTicket(string endpoint, string ticket) =>
        new(endpoint + (endpoint.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "ticket=" + Uri.EscapeDataString(ticket));

    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "DingTalk Stream connected to {Endpoint}")]
    private static partial void LogConnected(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 401, Level = LogLevel.Warning, Message = "DingTalk Stream connection failed: {Reason}")]
    private static partial void LogConnectFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 402, Level = LogLevel.Information, Message = "DingTalk Stream reconnecting in {DelaySeconds:0.#} s")]
    private static partial void LogReconnecting(ILogger logger, double delaySeconds);

    [LoggerMessage(EventId = 403, Level = LogLevel.Information, Message = "DingTalk Stream asked to disconnect ({Data}); opening a new connection")]
    private static partial void LogDisconnectRequested(ILogger logger, string data);

    [LoggerMessage(EventId = 404, Level = LogLevel.Debug, Message = "DingTalk Stream draining the previous connection")]
    private static partial void LogRotating(ILogger logger);

    [LoggerMessage(EventId = 405, Level = LogLevel.Information, Message = "DingTalk Stream frame {MessageId} delivered again; answered from cache")]
    private static partial void LogDuplicate(ILogger logger, string messageId);

    [LoggerMessage(EventId = 406, Level = LogLevel.Warning, Message = "DingTalk Stream card callback {MessageId} unreadable: {Error}")]
    private static partial void LogBadCallback(ILogger logger, string messageId, string error);

    [LoggerMessage(EventId = 407, Level = LogLevel.Error, Message = "DingTalk Stream frame {Type} {Topic} {MessageId} failed")]
    private static partial void LogFrameFailed(ILogger logger, Exception exception, string type, string topic, string messageId);
}
