using System.Collections.Concurrent;

namespace ScaleControl.Kubernetes.Caching;

/// <summary>
/// Read-your-writes over a watch cache: this replica's recent writes, keyed by the object and the resourceVersion each
/// one replaced. While the cache still holds a version a write of ours replaced, the write that followed it is the
/// fresher truth (and the one after that, if we wrote twice before the watch caught up). Only exact resourceVersion
/// matches are followed (no ordering of resourceVersions is assumed), so any other version in the cache, another
/// writer's included, always wins.
/// </summary>
public sealed class WriteChain<T>
    where T : class
{
    /// <summary>Writes remembered; old ones are dropped (by then the watch has long delivered them).</summary>
    private const int Capacity = 4096;

    /// <summary>Hops followed at most: a chain longer than this means the watch is far behind; the last hop found is used.</summary>
    private const int MaxHops = 64;

    private readonly ConcurrentDictionary<(string Key, string ResourceVersion), T> _next = new();
    private readonly ConcurrentQueue<(string Key, string ResourceVersion)> _order = new();
    private readonly Func<T, string?> _versionOf;

    /// <param name="versionOf">The resourceVersion of a stored or cached <typeparamref name="T"/>.</param>
    public WriteChain(Func<T, string?> versionOf) => _versionOf = versionOf;

    /// <summary>Remembers that our write replaced <paramref name="replacedVersion"/> of <paramref name="key"/> with <paramref name="written"/>.</summary>
    public void Record(string key, string? replacedVersion, T written)
    {
        if (replacedVersion is null)
        {
            return;
        }

        var entry = (key, replacedVersion);
        _next[entry] = written;
        _order.Enqueue(entry);
        while (_order.Count > Capacity && _order.TryDequeue(out var old))
        {
            _next.TryRemove(old, out _);
        }
    }

    /// <summary>
    /// What this replica wrote over <paramref name="cachedVersion"/> of <paramref name="key"/>, following its later writes
    /// too; null when it wrote nothing over that version (the cache is as fresh as we know).
    /// </summary>
    public T? After(string key, string? cachedVersion)
    {
        T? newest = null;
        for (var (hops, version) = (0, cachedVersion); hops < MaxHops && version is not null && _next.TryGetValue((key, version), out var next); hops++)
        {
            newest = next;
            version = _versionOf(next);
        }

        return newest;
    }
}
