using k8s;

namespace ScaleControl.Kubernetes.Caching;

/// <summary>One resource kind's list and watch calls, as a <see cref="ResourceCache{T}"/> consumes them.</summary>
public interface IResourceSource<T>
    where T : class
{
    /// <summary>A short name for logs, e.g. "deployments".</summary>
    string Name { get; }

    /// <summary>
    /// Lists every object of <paramref name="namespace"/> (null: of all namespaces, the cluster-wide endpoint);
    /// returns them with the list's resourceVersion.
    /// </summary>
    Task<(IReadOnlyList<T> Items, string ResourceVersion)> ListAsync(string? @namespace, CancellationToken cancellationToken);

    /// <summary>
    /// Watches <paramref name="namespace"/> (null: all) from <paramref name="resourceVersion"/> with bookmarks; ERROR
    /// events go to <paramref name="onError"/>.
    /// </summary>
    IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(string? @namespace, string resourceVersion, int timeoutSeconds, Action<Exception> onError, CancellationToken cancellationToken);

    /// <summary><c>namespace/name</c>.</summary>
    string KeyOf(T item);

    string? ResourceVersionOf(T item);
}
