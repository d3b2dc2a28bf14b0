using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Operations;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>
/// kube-controller-manager's taint eviction controller (<c>pkg/controller/tainteviction</c>): a running pod on a node
/// with a NoExecute taint it does not tolerate is deleted (its own grace period) at once; one that tolerates every
/// such taint goes after the shortest <c>tolerationSeconds</c> of the tolerations it uses, counted from when the
/// controller first saw it there, and stays without one. Before the delete the pod gets the condition
/// DisruptionTarget (DeletionByTaintManager) and the event TaintManagerEviction, as upstream's addConditionAndDeletePod.
/// </summary>
internal sealed class TaintEvictionController(ResourceOperations operations, TimeProvider time)
{
    private readonly Dictionary<string, DateTimeOffset> _seenAt = [];

    public void Run()
    {
        var now = time.GetUtcNow();
        var nodes = operations.Store.Project(BuiltInResources.Nodes.Storage, NodeState.Of)
            .Where(n => NoExecute(n).Any()).ToDictionary(n => n.Name, StringComparer.Ordinal);
        var pods = nodes.Count == 0
            ? []
            : operations.Store.Project(BuiltInResources.Pods.Storage, PodState.Of)
                .Where(p => p.Bound && !p.Terminating && !p.HasFinished && nodes.ContainsKey(p.NodeName!)).ToList();
        foreach (var gone in _seenAt.Keys.Except(pods.Select(p => p.Uid)).ToList())
        {
            _seenAt.Remove(gone);
        }

        foreach (var pod in pods)
        {
            var seenAt = _seenAt.TryAdd(pod.Uid, now) ? now : _seenAt[pod.Uid];
            if (Toleration(NoExecute(nodes[pod.NodeName!]).ToList(), pod) is { } tolerated && seenAt + tolerated > now)
            {
                continue;
            }

            Evict(pod, Timestamps.Format(now));
        }
    }

    private static IEnumerable<JsonObject> NoExecute(NodeState node) => node.Taints.Where(t => (string?)t["effect"] == "NoExecute");

    // getMinTolerationTime over the tolerations used: zero when a taint is not tolerated or a toleration says <= 0,
    // null (forever) when none of them has tolerationSeconds.
    private static TimeSpan? Toleration(List<JsonObject> taints, PodState pod)
    {
        if (taints.Any(t => !pod.Tolerations.Any(toleration => TaintToleration.Tolerates(toleration, t))))
        {
            return TimeSpan.Zero;
        }

        var seconds = pod.Tolerations.Where(toleration => taints.Any(t => TaintToleration.Tolerates(toleration, t)))
            .Select(toleration => toleration["tolerationSeconds"] is JsonValue v && v.TryGetValue<long>(out var s) ? s : (long?)null)
            .OfType<long>().ToList();
        return seconds.Count == 0 ? null : TimeSpan.FromSeconds(Math.Max(0, seconds.Min()));
    }

    private void Evict(PodState pod, string stamp)
    {
        operations.Rewrite(BuiltInResources.Pods, pod.Namespace, pod.Name, pod.Uid, o =>
            PodObjects.MarkDisruptionTarget(o.Obj("status"), "DeletionByTaintManager", "Taint manager: deleting due to NoExecute taint", stamp));
        ClusterEvents.Record(operations, ("v1", "Pod", pod.Namespace, pod.Name, pod.Uid), "Normal", "TaintManagerEviction", null,
            $"Marking for deletion Pod {pod.Namespace}/{pod.Name}", "taint-eviction-controller", stamp);
        operations.DeleteIfPresent(BuiltInResources.Pods, pod.Namespace, pod.Name);
    }
}
