using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Operations;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>
/// kube-controller-manager's PodGC (pkg/controller/podgc/gc_controller.go). gcTerminated: beyond
/// <see cref="SandboxKubernetesOptions.TerminatedPodGcThreshold"/> finished pods, the surplus is deleted with grace
/// period 0, evicted pods (Failed, reason Evicted) first, then the oldest by creationTimestamp, then by name
/// (byEvictionAndCreationTimestamp). The rest is what a node's loss needs, since no kubelet is left to end its pods.
/// gcOrphaned: a pod bound to a node that no longer exists, still missing 40 s
/// (quarantineTime) after this controller first saw it so, is marked Failed with the condition DisruptionTarget
/// (reason DeletionByPodGC, message "PodGC: node no longer exists") and deleted with grace period 0, terminating or not.
/// gcTerminating: a terminating pod on a node that is not Ready and has the <c>node.kubernetes.io/out-of-service</c>
/// taint is marked Failed and deleted with grace period 0 on the next pass. A pod already Succeeded or Failed keeps its
/// phase (markFailedAndDeletePodWithCondition). Upstream's loop runs every 20 s, so it acts 40–60 s after a node goes;
/// here the first pass after 40 s does. (gcUnscheduledTerminating has nothing to do: an unscheduled pod goes at once.)
/// </summary>
internal sealed class PodGarbageCollector(ResourceOperations operations, SandboxKubernetesOptions options, TimeProvider time)
{
    private const string OutOfServiceTaint = "node.kubernetes.io/out-of-service";
    private static readonly TimeSpan s_quarantine = TimeSpan.FromSeconds(40);

    // The missing nodes this controller has seen pods bound to, and since when (the nodeQueue's AddAfter).
    private readonly Dictionary<string, DateTimeOffset> _missingSince = new(StringComparer.Ordinal);

    public void Run()
    {
        var now = time.GetUtcNow();
        var nodes = operations.Store.Project(BuiltInResources.Nodes.Storage, n => (Name: JsonPaths.GetString(n, "metadata.name")!, OutOfService: !BuiltInResources.IsReady(n) && HasOutOfServiceTaint(n)))
            .ToDictionary(n => n.Name, n => n.OutOfService, StringComparer.Ordinal);
        var pods = operations.Store.Project(BuiltInResources.Pods.Storage, pod => (State: PodState.Of(pod), Node: JsonPaths.GetString(pod, "spec.nodeName"), Terminating: pod["metadata"]?["deletionTimestamp"] is not null));
        if (options.TerminatedPodGcThreshold > 0)
        {
            pods = GcTerminated(pods.Select(p => p.State).ToList(), options.TerminatedPodGcThreshold) is { Count: > 0 } deleted
                ? [.. pods.Where(p => !deleted.Contains(p.State.Uid))]
                : pods;
        }

        var missing = pods.Where(p => p.Node is { Length: > 0 } && !nodes.ContainsKey(p.Node)).Select(p => p.Node!).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _missingSince.Keys.Where(n => !missing.Contains(n)).ToList())
        {
            _missingSince.Remove(gone); // back, or no pod left on it
        }

        foreach (var node in missing)
        {
            _missingSince.TryAdd(node, now);
        }

        foreach (var (pod, node, terminating) in pods)
        {
            if (node is not { Length: > 0 })
            {
                continue;
            }

            if (_missingSince.TryGetValue(node, out var since) && now - since >= s_quarantine)
            {
                MarkFailedAndDelete(pod, "PodGC: node no longer exists");
            }
            else if (terminating && nodes.GetValueOrDefault(node))
            {
                MarkFailedAndDelete(pod, null);
            }
        }
    }

    // gcTerminated: the finished pods beyond the threshold go, evicted ones first, then the oldest (then by name).
    private HashSet<string> GcTerminated(List<PodState> pods, int threshold)
    {
        var finished = pods.Where(p => p.HasFinished).ToList();
        if (finished.Count <= threshold)
        {
            return [];
        }

        var surplus = finished.OrderByDescending(p => p.Evicted)
            .ThenBy(p => Timestamps.Parse(p.Created) ?? DateTimeOffset.MinValue)
            .ThenBy(p => p.Name, StringComparer.Ordinal)
            .Take(finished.Count - threshold).ToList();
        foreach (var pod in surplus)
        {
            MarkFailedAndDelete(pod, null);
        }

        return [.. surplus.Select(p => p.Uid)];
    }

    private static bool HasOutOfServiceTaint(JsonObject node) =>
        (node["spec"]?["taints"] as JsonArray)?.OfType<JsonObject>().Any(t => (string?)t["key"] == OutOfServiceTaint) == true;

    // markFailedAndDeletePodWithCondition: phase Failed (with the condition, as UpdatePodCondition sets it), unless
    // already terminal, then a delete with grace period 0.
    private void MarkFailedAndDelete(PodState pod, string? orphanedMessage)
    {
        var stamp = Timestamps.Format(time.GetUtcNow());
        operations.Rewrite(BuiltInResources.Pods, pod.Namespace, pod.Name, pod.Uid, o =>
        {
            var status = o.Obj("status");
            if ((string?)status["phase"] is "Succeeded" or "Failed")
            {
                return;
            }

            status["phase"] = "Failed";
            if (orphanedMessage is not null)
            {
                PodObjects.MarkDisruptionTarget(status, "DeletionByPodGC", orphanedMessage, stamp);
            }
        });
        operations.DeleteIfPresent(BuiltInResources.Pods, pod.Namespace, pod.Name, new JsonObject { ["gracePeriodSeconds"] = 0 });
    }
}
