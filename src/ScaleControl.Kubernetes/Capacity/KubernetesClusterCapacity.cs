using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using ScaleControl.Core.Capacity;
using ScaleControl.Core.Ports;
using ScaleControl.Kubernetes.Client;

namespace ScaleControl.Kubernetes.Capacity;

/// <summary>
/// Reads the nodes and the requests of the pods bound to them when a proposal is made, instead of keeping a watch
/// cache of every pod: proposals are rare, pods are many. Pods are listed in pages of <see cref="PageSize"/> and
/// folded into per-node sums at once, so memory holds one page and one row per node. A reading is reused for
/// <see cref="MaxAge"/> (a ramp amends proposals every few seconds). 403 or an API error gives "unknown", never a throw.
/// Restricted to namespaces, it reads nothing: a node's room needs every pod on it, in every namespace, and a Role per
/// namespace allows neither the node list nor the cluster-wide pod list (per-namespace lists would under-count).
/// </summary>
public sealed partial class KubernetesClusterCapacity(IKubernetes client, WatchedNamespaces watched, TimeProvider time, ILogger<KubernetesClusterCapacity> logger) : IClusterCapacity
{
    public const string NotReadWhenRestricted = "not read: restricted to namespaces (a node's room needs every namespace's pods)";

    public const int PageSize = 500;
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(15);

    // Finished pods hold no requests on their node (the scheduler ignores them too).
    private const string UnfinishedPods = "status.phase!=Succeeded,status.phase!=Failed";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private (ClusterRoom Room, DateTimeOffset At)? _last;

    public async Task<ClusterRoom> ReadAsync(CancellationToken cancellationToken)
    {
        if (!watched.IsAll)
        {
            return ClusterRoom.NotKnown(NotReadWhenRestricted);
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_last is { } last && time.GetUtcNow() - last.At < MaxAge)
            {
                return last.Room;
            }

            var room = await ReadNowAsync(cancellationToken).ConfigureAwait(false);
            _last = (room, time.GetUtcNow());
            return room;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<ClusterRoom> ReadNowAsync(CancellationToken cancellationToken)
    {
        try
        {
            var nodes = await client.CoreV1.ListNodeAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            var usage = nodes.Items.Where(Schedulable).ToDictionary(n => n.Metadata.Name, _ => new Usage(), StringComparer.Ordinal);
            var waiting = new Dictionary<PodResources, int>();
            string? next = null;
            do
            {
                var page = await client.CoreV1.ListPodForAllNamespacesAsync(
                    continueParameter: next, fieldSelector: UnfinishedPods, limit: PageSize, cancellationToken: cancellationToken).ConfigureAwait(false);
                foreach (var pod in page.Items)
                {
                    if (pod.Spec?.NodeName is { } node && usage.TryGetValue(node, out var sum))
                    {
                        sum.Add(PodSpecRequests.Of(pod.Spec));
                    }
                    else if (Waiting(pod) && (waiting.Count < MaxWaitingSizes || waiting.ContainsKey(PodSpecRequests.Of(pod.Spec!))))
                    {
                        // Asked for and not yet placed (an earlier step's pods): they take the free room first.
                        var size = PodSpecRequests.Of(pod.Spec!);
                        waiting[size] = waiting.GetValueOrDefault(size) + 1;
                    }
                }

                next = page.Metadata?.ContinueProperty;
            }
            while (!string.IsNullOrEmpty(next));

            return new ClusterRoom([.. nodes.Items.Where(Schedulable).Select(n => Row(n, usage[n.Metadata.Name]))],
                Waiting: [.. waiting.Select(w => new WaitingPods(w.Key, w.Value))]);
        }
        catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.Forbidden)
        {
            LogUnknown(logger, ex.Describe());
            return ClusterRoom.NotKnown("no permission to list nodes and pods");
        }
        catch (Exception ex) when (ex is HttpOperationException or HttpRequestException or KubernetesException)
        {
            LogUnknown(logger, ex.Message);
            return ClusterRoom.NotKnown("nodes could not be read");
        }
    }

    /// <summary>Pending without a node, and not held back by scheduling gates (the scheduler does not try those yet).</summary>
    private static bool Waiting(V1Pod pod) =>
        string.IsNullOrEmpty(pod.Spec?.NodeName) && pod.Status?.Phase == "Pending" && pod.Spec?.SchedulingGates is not { Count: > 0 };

    /// <summary>Distinct pod sizes kept for waiting pods (one per workload in practice): the memory bound of a reading.</summary>
    private const int MaxWaitingSizes = 1000;

    /// <summary>Ready and not cordoned: where the scheduler would put a new pod.</summary>
    private static bool Schedulable(V1Node node) =>
        node.Metadata?.Name is not null
        && node.Spec?.Unschedulable != true
        && node.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    private static NodeRoom Row(V1Node node, Usage usage)
    {
        var allocatable = node.Status?.Allocatable;
        return new NodeRoom(node.Metadata.Name, PodSpecRequests.MilliCpu(allocatable), PodSpecRequests.Bytes(allocatable), PodSpecRequests.Count(allocatable),
            usage.MilliCpu, usage.MemoryBytes, usage.Pods);
    }

    private sealed class Usage
    {
        public long MilliCpu { get; private set; }
        public long MemoryBytes { get; private set; }
        public int Pods { get; private set; }

        public void Add(PodResources pod)
        {
            MilliCpu += pod.MilliCpu;
            MemoryBytes += pod.MemoryBytes;
            Pods++;
        }
    }

    [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "Cluster room unknown: {Problem}")]
    private static partial void LogUnknown(ILogger logger, string problem);
}
