using System.Collections.Concurrent;

namespace ScaleControl.DingTalk.Stream;

/// <summary>
/// Remembers the ACK of every recently handled messageId (5 minutes, 10 000 entries, as the official Python SDK), so
/// a redelivered frame is answered with the same ACK and its tap is not applied twice. A redelivery that arrives
/// while the first is still being handled waits for that same work.
/// </summary>
public sealed class MessageIdCache(TimeProvider timeProvider, TimeSpan? lifetime = null, int capacity = 10_000)
{
    private readonly TimeSpan _lifetime = lifetime ?? TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public int Count => _entries.Count;

    /// <summary>The ACK data for <paramref name="messageId"/>: the cached one, or the result of <paramref name="handle"/> (null: not ours, hand it back).</summary>
    public Task<string?> GetOrHandleAsync(string messageId, Func<Task<string?>> handle, out bool duplicate)
    {
        var now = timeProvider.GetUtcNow();
        if (_entries.TryGetValue(messageId, out var existing) && existing.ExpiresAt > now)
        {
            duplicate = true;
            return existing.Ack.Value;
        }

        var fresh = new Entry(new Lazy<Task<string?>>(handle), now + _lifetime);
        var winner = _entries.AddOrUpdate(messageId, fresh, (_, old) => old.ExpiresAt > now ? old : fresh);
        duplicate = !ReferenceEquals(winner, fresh);
        if (!duplicate && _entries.Count > capacity)
        {
            Prune(now);
        }

        return winner.Ack.Value;
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (id, entry) in _entries)
        {
            if (entry.ExpiresAt <= now)
            {
                _entries.TryRemove(id, out _);
            }
        }

        // Still full of live entries: drop the oldest tenth.
        if (_entries.Count > capacity)
        {
            foreach (var (id, _) in _entries.OrderBy(e => e.Value.ExpiresAt).Take(_entries.Count - (capacity * 9 / 10)).ToList())
            {
                _entries.TryRemove(id, out _);
            }
        }
    }

    private sealed record Entry(Lazy<Task<string?>> Ack, DateTimeOffset ExpiresAt);
}
