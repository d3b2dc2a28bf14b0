using System.Globalization;
using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;

namespace ScaleControl.Sandbox.Kubernetes.Storage;

/// <summary>
/// The sandbox's etcd: every object of every kind under one lock, one cluster-wide monotonically increasing
/// resourceVersion, a bounded history of changes for watches. Objects go in and come out as deep copies. With a
/// <see cref="SandboxKubernetesOptions.StateDirectory"/>, every change is committed to disk before it returns.
/// </summary>
internal sealed class ObjectStore : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, SortedDictionary<(string Namespace, string Name), JsonObject>> _objects = [];
    private readonly Queue<WatchEvent> _history = new();
    private readonly List<WatchSubscription> _watchers = [];
    private readonly SandboxKubernetesOptions _options;
    private readonly StateFile? _file;
    private long _resourceVersion = 1;
    private long _compactedThrough;

    public ObjectStore(SandboxKubernetesOptions options)
    {
        _options = options;
        if (options.StateDirectory is not { Length: > 0 } directory)
        {
            return;
        }

        _file = new StateFile(directory, options.ResetState);
        var (resourceVersion, objects) = _file.Load();
        foreach (var (storage, ns, name, body) in objects)
        {
            Bucket(storage)[(ns, name)] = body;
        }

        Restored = objects.Count > 0;
        _resourceVersion = Math.Max(_resourceVersion, resourceVersion);
        _compactedThrough = _resourceVersion; // the watch history did not survive: older versions get 410
    }

    /// <summary>The store started from kept state rather than empty.</summary>
    public bool Restored { get; }

    public void Dispose() => _file?.Dispose();

    /// <summary>
    /// A value the cluster keeps beside its objects, made by <paramref name="create"/> once (the apiserver's files
    /// under /etc/kubernetes/pki, such as the ServiceAccount signing key): kept across restarts when the state is.
    /// </summary>
    public string ClusterValue(string key, Func<string> create)
    {
        lock (_lock)
        {
            return _file?.GetOrAdd(key, create) ?? create();
        }
    }

    public long ResourceVersion
    {
        get
        {
            lock (_lock)
            {
                return _resourceVersion;
            }
        }
    }

    public JsonObject? Get(string storage, string @namespace, string name)
    {
        lock (_lock)
        {
            return Bucket(storage).TryGetValue((@namespace, name), out var o) ? (JsonObject)o.DeepClone() : null;
        }
    }

    /// <summary>Objects of one kind (in one namespace, or all when null) and the resourceVersion of the snapshot.</summary>
    public (List<JsonObject> Items, long ResourceVersion) List(string storage, string? @namespace)
    {
        lock (_lock)
        {
            var items = Bucket(storage)
                .Where(kv => @namespace is null || kv.Key.Namespace == @namespace)
                .Select(kv => (JsonObject)kv.Value.DeepClone())
                .ToList();
            return (items, _resourceVersion);
        }
    }

    /// <summary>
    /// Reads a projection of every object of one kind without copying them (the projection must not keep or change
    /// the object): the cheap path for the controllers that scan all workloads on every tick.
    /// </summary>
    public List<T> Project<T>(string storage, Func<JsonObject, T> projection)
    {
        lock (_lock)
        {
            return Bucket(storage).Values.Select(projection).ToList();
        }
    }

    /// <summary>
    /// Atomically replaces one object by what <paramref name="change"/> makes of a copy of it (null when absent).
    /// A result equal to the current object is a no-op: no new resourceVersion, no event, as on a real apiserver.
    /// A dry run returns the result without storing it.
    /// </summary>
    public JsonObject Write(string storage, string @namespace, string name, Func<JsonObject?, JsonObject> change, bool dryRun = false) =>
        WriteOrRemove(storage, @namespace, name, change, _ => false, dryRun).Object;

    /// <summary>
    /// As <see cref="Write"/>, but when <paramref name="remove"/> says so of the result (an object whose deletion nothing
    /// holds up any more), the existing object is removed instead: one DELETED event with its last stored state, which is
    /// returned with Removed set.
    /// </summary>
    public (JsonObject Object, bool Removed) WriteOrRemove(
        string storage, string @namespace, string name, Func<JsonObject?, JsonObject> change, Func<JsonObject, bool> remove, bool dryRun = false)
    {
        lock (_lock)
        {
            var bucket = Bucket(storage);
            bucket.TryGetValue((@namespace, name), out var current);
            var next = change((JsonObject?)current?.DeepClone());
            if (current is not null && remove(next))
            {
                if (!dryRun)
                {
                    _file?.Remove(storage, @namespace, name, _resourceVersion + 1);
                    bucket.Remove((@namespace, name));
                    current["metadata"]!["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
                    Publish(new WatchEvent(WatchEvent.Deleted, storage, NamespaceOf(@namespace), _resourceVersion, (JsonObject)current.DeepClone()));
                }

                return ((JsonObject)current.DeepClone(), true);
            }

            var metadata = (JsonObject)next["metadata"]!;
            if (current is not null)
            {
                metadata["resourceVersion"] = current["metadata"]!["resourceVersion"]!.DeepClone();
                if (JsonNode.DeepEquals(current, next))
                {
                    return (next, false);
                }
            }

            if (dryRun)
            {
                return (next, false);
            }

            metadata["resourceVersion"] = (_resourceVersion + 1).ToString(CultureInfo.InvariantCulture);
            _file?.Put(storage, @namespace, name, next, _resourceVersion + 1);
            _resourceVersion++;
            bucket[(@namespace, name)] = (JsonObject)next.DeepClone();
            Publish(new WatchEvent(current is null ? WatchEvent.Added : WatchEvent.Modified, storage, NamespaceOf(@namespace), _resourceVersion, (JsonObject)next.DeepClone(), current));
            return (next, false);
        }
    }

    /// <summary>Whether any object of one kind is in <paramref name="namespace"/> (all namespaces when null).</summary>
    public bool Any(string storage, string? @namespace)
    {
        lock (_lock)
        {
            return Bucket(storage).Keys.Any(k => @namespace is null || k.Namespace == @namespace);
        }
    }

    /// <summary>
    /// Opens a watch: from now with synthetic ADDED events (no resourceVersion or "0"), or replaying the history
    /// after <paramref name="sinceResourceVersion"/>; a version older than the history ends in an ERROR 410 event.
    /// </summary>
    public WatchSubscription Watch(string storage, string? @namespace, long? sinceResourceVersion)
    {
        lock (_lock)
        {
            List<WatchEvent> initial;
            if (sinceResourceVersion is null or 0)
            {
                initial = Bucket(storage)
                    .Where(kv => @namespace is null || kv.Key.Namespace == @namespace)
                    .Select(kv => new WatchEvent(WatchEvent.Added, storage, NamespaceOf(kv.Key.Namespace), 0, (JsonObject)kv.Value.DeepClone()))
                    .ToList();
            }
            else if (sinceResourceVersion < _compactedThrough)
            {
                var expired = new WatchSubscription(storage, @namespace, _ => { });
                expired.Fail(ApiErrors.Expired(sinceResourceVersion.Value, _resourceVersion));
                return expired;
            }
            else
            {
                initial = [];
            }

            var subscription = new WatchSubscription(storage, @namespace, Unsubscribe) { Initial = initial };
            if (sinceResourceVersion is > 0)
            {
                foreach (var e in _history.Where(e => e.ResourceVersion > sinceResourceVersion && subscription.Matches(e)))
                {
                    subscription.Push(Copy(e));
                }
            }

            _watchers.Add(subscription);
            return subscription;
        }
    }

    /// <summary>Test hook: forgets the history (later watches from an old version get 410) and fails open watches with 410.</summary>
    public void ExpireWatches()
    {
        lock (_lock)
        {
            _history.Clear();
            _compactedThrough = _resourceVersion;
            foreach (var w in _watchers.ToList())
            {
                w.Fail(ApiErrors.Expired(_compactedThrough - 1, _resourceVersion));
            }
        }
    }

    /// <summary>Test hook: closes every open watch stream without an event.</summary>
    public void DropWatches()
    {
        lock (_lock)
        {
            foreach (var w in _watchers.ToList())
            {
                w.Drop();
            }
        }
    }

    public int OpenWatches
    {
        get
        {
            lock (_lock)
            {
                return _watchers.Count;
            }
        }
    }

    private void Publish(WatchEvent e)
    {
        _history.Enqueue(e);
        while (_history.Count > _options.WatchHistoryLimit)
        {
            _compactedThrough = _history.Dequeue().ResourceVersion;
        }

        foreach (var w in _watchers)
        {
            if (w.Matches(e))
            {
                w.Push(Copy(e));
            }
        }
    }

    private static WatchEvent Copy(WatchEvent e) =>
        e with { Object = (JsonObject)e.Object.DeepClone(), Previous = (JsonObject?)e.Previous?.DeepClone() };

    private void Unsubscribe(WatchSubscription subscription)
    {
        lock (_lock)
        {
            _watchers.Remove(subscription);
        }
    }

    private SortedDictionary<(string Namespace, string Name), JsonObject> Bucket(string storage)
    {
        if (!_objects.TryGetValue(storage, out var bucket))
        {
            bucket = [];
            _objects[storage] = bucket;
        }

        return bucket;
    }

    private static string? NamespaceOf(string @namespace) => @namespace.Length == 0 ? null : @namespace;
}
