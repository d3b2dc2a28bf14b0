using System.Runtime.CompilerServices;
using k8s;
using k8s.Models;

namespace ScaleControl.Kubernetes.Caching;

/// <summary>
/// A source over one of KubernetesClient's typed list/watch pairs (one namespace, or all of them when the namespace
/// is null). <paramref name="keep"/> copies
/// the fields ScaleControl reads out of each object before it is cached, as controller-runtime's cache transforms do.
/// </summary>
public sealed class TypedSource<T>(
    string name,
    Func<string?, CancellationToken, Task<(IReadOnlyList<T> Items, string ResourceVersion)>> list,
    Func<string?, string, int, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> watch,
    Func<T, T> keep) : IResourceSource<T>
    where T : class, IMetadata<V1ObjectMeta>
{
    public string Name => name;

    public async Task<(IReadOnlyList<T> Items, string ResourceVersion)> ListAsync(string? @namespace, CancellationToken cancellationToken)
    {
        var (items, resourceVersion) = await list(@namespace, cancellationToken).ConfigureAwait(false);
        return ([.. items.Select(keep)], resourceVersion);
    }

    public async IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(
        string? @namespace, string resourceVersion, int timeoutSeconds, Action<Exception> onError, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var (type, item) in watch(@namespace, resourceVersion, timeoutSeconds, onError, cancellationToken).ConfigureAwait(false))
        {
            yield return (type, keep(item));
        }
    }

    public string KeyOf(T item) => $"{item.Metadata?.NamespaceProperty}/{item.Metadata?.Name}";

    public string? ResourceVersionOf(T item) => item.Metadata?.ResourceVersion;
}

/// <summary>
/// The workload-side sources ScaleControl watches: Deployments, StatefulSets and HPAs, each through its
/// namespace's endpoint when given one (a Role suffices) and the cluster-wide endpoint otherwise.
/// </summary>
public static class WorkloadSources
{
    public static TypedSource<V1Deployment> Deployments(IKubernetes client) => new(
        "deployments",
        async (ns, ct) =>
        {
            var list = ns is null
                ? await client.AppsV1.ListDeploymentForAllNamespacesAsync(cancellationToken: ct).ConfigureAwait(false)
                : await client.AppsV1.ListNamespacedDeploymentAsync(ns, cancellationToken: ct).ConfigureAwait(false);
            return ([.. list.Items], list.Metadata?.ResourceVersion ?? "");
        },
        (ns, rv, timeout, onError, ct) => ns is null
            ? client.AppsV1.WatchListDeploymentForAllNamespacesAsync(
                allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct)
            : client.AppsV1.WatchListNamespacedDeploymentAsync(
                ns, allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct),
        CachedFields.Keep);

    public static TypedSource<V1StatefulSet> StatefulSets(IKubernetes client) => new(
        "statefulsets",
        async (ns, ct) =>
        {
            var list = ns is null
                ? await client.AppsV1.ListStatefulSetForAllNamespacesAsync(cancellationToken: ct).ConfigureAwait(false)
                : await client.AppsV1.ListNamespacedStatefulSetAsync(ns, cancellationToken: ct).ConfigureAwait(false);
            return ([.. list.Items], list.Metadata?.ResourceVersion ?? "");
        },
        (ns, rv, timeout, onError, ct) => ns is null
            ? client.AppsV1.WatchListStatefulSetForAllNamespacesAsync(
                allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct)
            : client.AppsV1.WatchListNamespacedStatefulSetAsync(
                ns, allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct),
        CachedFields.Keep);

    public static TypedSource<V2HorizontalPodAutoscaler> HorizontalPodAutoscalers(IKubernetes client) => new(
        "horizontalpodautoscalers",
        async (ns, ct) =>
        {
            var list = ns is null
                ? await client.AutoscalingV2.ListHorizontalPodAutoscalerForAllNamespacesAsync(cancellationToken: ct).ConfigureAwait(false)
                : await client.AutoscalingV2.ListNamespacedHorizontalPodAutoscalerAsync(ns, cancellationToken: ct).ConfigureAwait(false);
            return ([.. list.Items], list.Metadata?.ResourceVersion ?? "");
        },
        (ns, rv, timeout, onError, ct) => ns is null
            ? client.AutoscalingV2.WatchListHorizontalPodAutoscalerForAllNamespacesAsync(
                allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct)
            : client.AutoscalingV2.WatchListNamespacedHorizontalPodAutoscalerAsync(
                ns, allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct),
        CachedFields.Keep);
}
