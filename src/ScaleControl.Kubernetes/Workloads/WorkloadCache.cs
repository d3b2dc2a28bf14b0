using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Kubernetes.Caching;

namespace ScaleControl.Kubernetes.Workloads;

/// <summary>Watch caches of Deployments, StatefulSets and HPAs, and the start-up estimator fed by them.</summary>
public sealed class WorkloadCache : IAsyncDisposable
{
    // scaleTargetRef ("ns/Kind/name", kind lower-cased) → HPA key, and back: a lookup per read instead of a scan.
    private readonly ConcurrentDictionary<string, string> _hpaByTarget = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _targetByHpa = new(StringComparer.Ordinal);
    private readonly Lock _hpaIndexLock = new();

    private readonly TimeSpan _patience;

    public WorkloadCache(IKubernetes client, KubernetesOptions options, TimeProvider time, ILoggerFactory loggers)
    {
        // A first list that has neither succeeded nor failed by then has outlived its own request.
        _patience = TimeSpan.FromSeconds(options.RequestTimeoutSeconds);
        var logger = loggers.CreateLogger<WorkloadCache>();
        var scopes = new WatchedNamespaces(options.Namespaces).Scopes;
        Deployments = new(WorkloadSources.Deployments(client), options.Watch, time, logger, scopes);
        StatefulSets = new(WorkloadSources.StatefulSets(client), options.Watch, time, logger, scopes);
        HorizontalPodAutoscalers = new(WorkloadSources.HorizontalPodAutoscalers(client), options.Watch, time, logger, scopes);
        Startup = new StartupTimeEstimator(time);
        Deployments.Changed += (type, d) => Startup.Observe(type, Key(d.Metadata), d.Spec?.Replicas, d.Status?.ReadyReplicas);
        StatefulSets.Changed += (type, s) => Startup.Observe(type, Key(s.Metadata), s.Spec?.Replicas, StatefulSetReadiness.Serving(s.Status));
        HorizontalPodAutoscalers.Changed += IndexHpa;
    }

    public ResourceCache<V1Deployment> Deployments { get; }

    public ResourceCache<V1StatefulSet> StatefulSets { get; }

    public ResourceCache<V2HorizontalPodAutoscaler> HorizontalPodAutoscalers { get; }

    public StartupTimeEstimator Startup { get; }

    public async Task WaitForSyncAsync(CancellationToken cancellationToken) =>
        await Task.WhenAll(
            Deployments.WaitForSyncAsync(cancellationToken),
            StatefulSets.WaitForSyncAsync(cancellationToken),
            HorizontalPodAutoscalers.WaitForSyncAsync(cancellationToken)).ConfigureAwait(false);

    /// <summary>
    /// Waits for what a read of <paramref name="target"/> needs — its kind's cache and the HPAs' (an HPA may own it) —
    /// and throws <see cref="CacheNotSyncedException"/> with the API server's reason when one of them cannot list.
    /// A cluster that refuses StatefulSets then still serves Deployment policies.
    /// </summary>
    public async Task EnsureSyncedAsync(WorkloadRef target, CancellationToken cancellationToken)
    {
        await (IsStatefulSet(target) ? StatefulSets.EnsureSyncedAsync(_patience, cancellationToken) : Deployments.EnsureSyncedAsync(_patience, cancellationToken)).ConfigureAwait(false);
        await HorizontalPodAutoscalers.EnsureSyncedAsync(_patience, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The caches asked for whose first list has failed, with the API server's reason (for readiness). One still in
    /// its first list, or not needed yet (no policy of its kind), is not a problem.
    /// </summary>
    public IEnumerable<string> Unsynced()
    {
        foreach (var (started, synced, name, failure) in new[]
        {
            (Deployments.IsStarted, Deployments.IsSynced, Deployments.Name, Deployments.LastFailure),
            (StatefulSets.IsStarted, StatefulSets.IsSynced, StatefulSets.Name, StatefulSets.LastFailure),
            (HorizontalPodAutoscalers.IsStarted, HorizontalPodAutoscalers.IsSynced, HorizontalPodAutoscalers.Name, HorizontalPodAutoscalers.LastFailure),
        })
        {
            if (started && !synced && failure is not null)
            {
                yield return new CacheNotSyncedException(name, failure).Message;
            }
        }
    }

    private static bool IsStatefulSet(WorkloadRef target) =>
        string.Equals(target.Kind, TargetRef.StatefulSetKind, StringComparison.OrdinalIgnoreCase);

    /// <summary>The workload's metadata, spec/ready replicas and pod template, or null when it is not in the cache.</summary>
    public CachedWorkload? Find(WorkloadRef target)
    {
        var key = $"{target.Namespace}/{target.Name}";
        if (IsStatefulSet(target))
        {
            return StatefulSets.Get(key) is { } s
                ? new CachedWorkload(s.Metadata, "apps/v1", TargetRef.StatefulSetKind, s.Spec?.Replicas, StatefulSetReadiness.Serving(s.Status), s.Spec?.Template, s.Spec?.MinReadySeconds, s.Spec?.Selector)
                : null;
        }

        return Deployments.Get(key) is { } d
            ? new CachedWorkload(d.Metadata, "apps/v1", TargetRef.DeploymentKind, d.Spec?.Replicas, d.Status?.ReadyReplicas, d.Spec?.Template, d.Spec?.MinReadySeconds, d.Spec?.Selector)
            : null;
    }

    /// <summary>The HPA whose scaleTargetRef names the workload (there is no field selector for it; we index the cache).</summary>
    public V2HorizontalPodAutoscaler? FindOwningHpa(WorkloadRef target) =>
        _hpaByTarget.TryGetValue(TargetKey(target.Namespace, target.Kind, target.Name), out var hpaKey)
            ? HorizontalPodAutoscalers.Get(hpaKey)
            : null;

    private void IndexHpa(WatchEventType type, V2HorizontalPodAutoscaler hpa)
    {
        var hpaKey = Key(hpa.Metadata);
        lock (_hpaIndexLock)
        {
            if (_targetByHpa.TryRemove(hpaKey, out var previous))
            {
                _hpaByTarget.TryRemove(KeyValuePair.Create(previous, hpaKey));
            }

            if (type != WatchEventType.Deleted && hpa.Spec?.ScaleTargetRef is { } reference)
            {
                var targetKey = TargetKey(hpa.Metadata?.NamespaceProperty, reference.Kind, reference.Name);
                _targetByHpa[hpaKey] = targetKey;
                _hpaByTarget[targetKey] = hpaKey;
            }
        }
    }

    private static string TargetKey(string? @namespace, string? kind, string? name) =>
        $"{@namespace}/{kind?.ToLowerInvariant()}/{name}";

    internal static string Key(V1ObjectMeta? meta) => $"{meta?.NamespaceProperty}/{meta?.Name}";

    /// <summary>See <see cref="ResourceCache{T}.HostStopping"/>.</summary>
    public void HostStopping()
    {
        Deployments.HostStopping();
        StatefulSets.HostStopping();
        HorizontalPodAutoscalers.HostStopping();
    }

    public async ValueTask DisposeAsync()
    {
        await Deployments.DisposeAsync().ConfigureAwait(false);
        await StatefulSets.DisposeAsync().ConfigureAwait(false);
        await HorizontalPodAutoscalers.DisposeAsync().ConfigureAwait(false);
    }
}

public sealed record CachedWorkload(
    V1ObjectMeta Metadata,
    string ApiVersion,
    string Kind,
    int? SpecReplicas,
    int? ReadyReplicas,
    V1PodTemplateSpec? Template,
    int? MinReadySeconds,
    V1LabelSelector? Selector = null);
