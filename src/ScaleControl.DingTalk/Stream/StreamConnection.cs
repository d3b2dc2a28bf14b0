using System.Buffers;
using System.Net.WebSockets;

namespace ScaleControl.DingTalk.Stream;

/// <summary>
/// One Stream WebSocket. Reads frames until the socket closes and hands each to <c>onFrame</c>, which answers
/// through <see cref="SendAsync"/> (sends are serialised: a WebSocket allows one at a time). After a
/// <c>disconnect</c> frame the connection keeps reading until the server closes it, so nothing in flight is lost
/// while the next connection is opened.
/// </summary>
internal sealed class StreamConnection(Func<StreamConnection, StreamFrame, Task> onFrame) : IAsyncDisposable
{
    private const int MaxFrameBytes = 1 << 20;

    private readonly ClientWebSocket _socket = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly TaskCompletionSource _rotationRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _closing = new();

    /// <summary>Completes when the server asked this connection to go away (a <c>disconnect</c> frame).</summary>
    public Task RotationRequested => _rotationRequested.Task;

    /// <summary>True once any frame arrived: the connection was healthy, so backoff can start over.</summary>
    public bool ReceivedFrame { get; private set; }

    public async Task ConnectAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        _socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(30);
        _socket.Options.KeepAliveTimeout = TimeSpan.FromSeconds(10);
        await _socket.ConnectAsync(endpoint, cancellationToken);
    }

    public void RequestRotation() => _rotationRequested.TrySetResult();

    /// <summary>Reads frames until the socket closes or <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing.Token);
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        var inFlight = new List<Task>();
        try
        {
            using var message = new MemoryStream();
            while (_socket.State == WebSocketState.Open)
            {
                var result = await _socket.ReceiveAsync(buffer, linked.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                message.Write(buffer, 0, result.Count);
                if (message.Length > MaxFrameBytes)
                {
                    throw new WebSocketException(WebSocketError.Faulted, "Stream frame larger than 1 MiB");
                }

                if (!result.EndOfMessage)
                {
                    continue;
                }

                if (StreamFrame.TryParse(message.GetBuffer().AsSpan(0, (int)message.Length), out var frame))
                {
                    ReceivedFrame = true;
                    inFlight.RemoveAll(t => t.IsCompleted);
                    inFlight.Add(onFrame(this, frame));
                }

                message.SetLength(0);
            }
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
        }
        catch (WebSocketException)
        {
            // Connection lost; the supervisor reconnects with a new ticket.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            await Task.WhenAll(inFlight);
        }
    }

    public async Task SendAsync(byte[] utf8Json, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                await _socket.SendAsync(utf8Json, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
            }
        }
        catch (WebSocketException)
        {
            // The frame will be redelivered on another connection and answered from the messageId cache.
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Stops reading and closes the socket politely if it is still open.</summary>
    public async Task CloseAsync()
    {
        await _closing.CancelAsync();
        if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "closing", timeout.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync();
        _socket.Dispose();
        _sendLock.Dispose();
        _closing.Dispose();
    }
}
