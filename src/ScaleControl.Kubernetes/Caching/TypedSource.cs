using System.Runtime.CompilerServices;
using k8s;
using k8s.Models;

namespace ScaleControl.Kubernetes.Caching;

/// <summary>
/// A source over one of KubernetesClient's typed list/watch pairs (all namespaces). <paramref name="keep"/> copies
/// the fields ScaleControl reads out of each object before it is cached, as controller-runtime's cache transforms do.
/// </summary>
public sealed class TypedSource<T>(
    string name,
    Func<CancellationToken, Task<(IReadOnlyList<T> Items, string ResourceVersion)>> list,
    Func<string, int, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> watch,
    Func<T, T> keep) : IResourceSource<T>
    where T : class, IMetadata<V1ObjectMeta>
{
    public string Name => name;

    public async Task<(IReadOnlyList<T> Items, string ResourceVersion)> ListAsync(CancellationToken cancellationToken)
    {
        var (items, resourceVersion) = await list(cancellationToken).ConfigureAwait(false);
        return ([.. items.Select(keep)], resourceVersion);
    }

    public async IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(
        string resourceVersion, int timeoutSeconds, Action<Exception> onError, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var (type, item) in watch(resourceVersion, timeoutSeconds, onError, cancellationToken).ConfigureAwait(false))
        {
            yield return (type, keep(item));
        }
    }

    public string KeyOf(T item) => $"{item.Metadata?.NamespaceProperty}/{item.Metadata?.Name}";

    public string? ResourceVersionOf(T item) => item.Metadata?.ResourceVersion;
}

/// <summary>The workload-side sources ScaleControl watches: Deployments, StatefulSets and HPAs.</summary>
public static class WorkloadSources
{
    public static TypedSource<V1Deployment> Deployments(IKubernetes client) => new(
        "deployments",
        async ct =>
        {
            var list = await client.AppsV1.ListDeploymentForAllNamespacesAsync(cancellationToken: ct).ConfigureAwait(false);
            return ([.. list.Items], list.Metadata?.ResourceVersion ?? "");
        },
        (rv, timeout, onError, ct) => client.AppsV1.WatchListDeploymentForAllNamespacesAsync(
            allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct),
        CachedFields.Keep);

    public static TypedSource<V1StatefulSet> StatefulSets(IKubernetes client) => new(
        "statefulsets",
        async ct =>
        {
            var list = await client.AppsV1.ListStatefulSetForAllNamespacesAsync(cancellationToken: ct).ConfigureAwait(false);
            return ([.. list.Items], list.Metadata?.ResourceVersion ?? "");
        },
        (rv, timeout, onError, ct) => client.AppsV1.WatchListStatefulSetForAllNamespacesAsync(
            allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct),
        CachedFields.Keep);

    public static TypedSource<V2HorizontalPodAutoscaler> HorizontalPodAutoscalers(IKubernetes client) => new(
        "horizontalpodautoscalers",
        async ct =>
        {
            var list = await client.AutoscalingV2.ListHorizontalPodAutoscalerForAllNamespacesAsync(cancellationToken: ct).ConfigureAwait(false);
            return ([.. list.Items], list.Metadata?.ResourceVersion ?? "");
        },
        (rv, timeout, onError, ct) => client.AutoscalingV2.WatchListHorizontalPodAutoscalerForAllNamespacesAsync(
            allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct),
        CachedFields.Keep);
}
