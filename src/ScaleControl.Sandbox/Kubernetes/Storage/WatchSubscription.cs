using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace ScaleControl.Sandbox.Kubernetes.Storage;

/// <summary>
/// One open watch: the events it must replay first, then live events pushed by the store under its lock (so the
/// order is the commit order). An <see cref="WatchEvent.Error"/> event or completion ends the stream.
/// </summary>
internal sealed class WatchSubscription(string storage, string? @namespace, Action<WatchSubscription> unsubscribe) : IDisposable
{
    private readonly Channel<WatchEvent> _events = Channel.CreateUnbounded<WatchEvent>(new() { SingleReader = true });

    public IReadOnlyList<WatchEvent> Initial { get; init; } = [];

    public ChannelReader<WatchEvent> Events => _events.Reader;

    public bool Matches(WatchEvent e) => e.Storage == storage && (@namespace is null || e.Namespace == @namespace);

    public void Push(WatchEvent e) => _events.Writer.TryWrite(e);

    /// <summary>Ends the stream with an in-band ERROR line (a forced 410 Expired).</summary>
    public void Fail(JsonObject status)
    {
        _events.Writer.TryWrite(new WatchEvent(WatchEvent.Error, storage, @namespace, 0, status));
        _events.Writer.TryComplete();
    }

    /// <summary>Ends the stream without a word, like a dropped connection.</summary>
    public void Drop() => _events.Writer.TryComplete();

    public void Dispose()
    {
        _events.Writer.TryComplete();
        unsubscribe(this);
    }
}
