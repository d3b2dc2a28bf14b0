using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Operations;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>
/// kube-controller-manager 1.32's node lifecycle controller (<c>pkg/controller/nodelifecycle</c>). monitorNodeHealth:
/// a node whose kubelet has posted no status for <c>--node-monitor-grace-period</c> (50 s; here: since the sandbox
/// stopped it, see <see cref="NodeKubelets"/>) gets its Ready, MemoryPressure, DiskPressure and PIDPressure conditions
/// set Unknown (NodeStatusUnknown, "Kubelet stopped posting node status."), and its pods' Ready condition False with a
/// NodeNotReady event (MarkPodsNotReady). doNoScheduleTaintingPass: the node's conditions and cordon as NoSchedule
/// taints (Ready False: <c>node.kubernetes.io/not-ready</c>, Unknown: <c>node.kubernetes.io/unreachable</c>, a pressure
/// condition True: its <c>*-pressure</c> taint, <c>spec.unschedulable</c>: <c>node.kubernetes.io/unschedulable</c>).
/// doNoExecuteTaintingPass: Ready False or Unknown as the matching NoExecute taint (with timeAdded), swapped when it
/// changes and removed once the node is Ready, which the taint eviction controller then acts on. Upstream rate-limits
/// the NoExecute tainting per zone (0.1 nodes/s); here every node is tainted on the pass that sees it.
/// </summary>
internal sealed class NodeLifecycleController(ResourceOperations operations, NodeKubelets kubelets, TimeProvider time)
{
    public const string NotReadyTaint = "node.kubernetes.io/not-ready";
    public const string UnreachableTaint = "node.kubernetes.io/unreachable";
    private const string Component = "node-controller";
    private static readonly TimeSpan s_gracePeriod = TimeSpan.FromSeconds(50);
    private static readonly string[] s_statusConditions = ["MemoryPressure", "DiskPressure", "PIDPressure", "Ready"];

    // nodeConditionToTaintKeyStatusMap: the condition and status each NoSchedule taint stands for.
    private static readonly (string Condition, string Status, string Taint)[] s_conditionTaints =
    [
        ("Ready", "False", NotReadyTaint),
        ("Ready", "Unknown", UnreachableTaint),
        ("MemoryPressure", "True", "node.kubernetes.io/memory-pressure"),
        ("DiskPressure", "True", "node.kubernetes.io/disk-pressure"),
        ("NetworkUnavailable", "True", "node.kubernetes.io/network-unavailable"),
        ("PIDPressure", "True", "node.kubernetes.io/pid-pressure"),
    ];

    private static readonly HashSet<string> s_controllerTaints = [.. s_conditionTaints.Select(t => t.Taint), "node.kubernetes.io/unschedulable"];

    public void Run()
    {
        var now = time.GetUtcNow();
        var stamp = Timestamps.Format(now);
        foreach (var seen in operations.Store.Project(BuiltInResources.Nodes.Storage, n => (JsonObject)n.DeepClone()))
        {
            var node = seen;
            var name = JsonPaths.GetString(node, "metadata.name")!;
            var uid = JsonPaths.GetString(node, "metadata.uid")!;
            if (kubelets.StoppedSince(name) is { } since && now - since >= s_gracePeriod && Status(node, "Ready") != "Unknown")
            {
                var wasReady = Status(node, "Ready") == "True";
                operations.Rewrite(BuiltInResources.Nodes, "", name, uid, o => MarkUnknown(o, stamp));
                if (wasReady)
                {
                    MarkPodsNotReady(name, stamp);
                }

                node = operations.Store.Get(BuiltInResources.Nodes.Storage, "", name) ?? node;
            }

            if (Taints(node, stamp) is { } taints)
            {
                operations.Rewrite(BuiltInResources.Nodes, "", name, uid, o =>
                {
                    if (taints.Count == 0)
                    {
                        o.Obj("spec").Remove("taints");
                    }
                    else
                    {
                        o.Obj("spec")["taints"] = taints;
                    }
                });
            }
        }
    }

    private static string? Status(JsonObject node, string condition) => JsonPaths.GetString(BuiltInResources.ConditionOf(node, condition), "status");

    // tryUpdateNodeHealth past the grace period: every kubelet-posted condition Unknown, its heartbeat kept.
    private static void MarkUnknown(JsonObject node, string stamp)
    {
        foreach (var type in s_statusConditions)
        {
            var condition = StatusConditions.FindOrAdd(node.Obj("status"), type);
            if ((string?)condition["status"] == "Unknown")
            {
                continue;
            }

            condition["status"] = "Unknown";
            condition["reason"] = "NodeStatusUnknown";
            condition["message"] = "Kubelet stopped posting node status.";
            condition["lastTransitionTime"] = stamp;
        }
    }

    // MarkPodsNotReady: the node's pods are no longer Ready (so Services drop them), each with a NodeNotReady event.
    private void MarkPodsNotReady(string nodeName, string stamp)
    {
        foreach (var pod in operations.Store.Project(BuiltInResources.Pods.Storage, PodState.Of).Where(p => p.NodeName == nodeName && p.Ready))
        {
            operations.Rewrite(BuiltInResources.Pods, pod.Namespace, pod.Name, pod.Uid, o =>
            {
                var ready = StatusConditions.FindOrAdd(o.Obj("status"), "Ready");
                ready["status"] = "False";
                ready["lastTransitionTime"] = stamp;
            });
            ClusterEvents.Record(operations, ("v1", "Pod", pod.Namespace, pod.Name, pod.Uid), "Warning", "NodeNotReady", null, "Node is not ready", Component, stamp);
        }
    }

    // The taints the node should carry: others' taints as they are, the controller's as the conditions say (NoSchedule
    // ones first, as the node informer's pass adds them before the NoExecute pass). Null when nothing changes.
    private static JsonArray? Taints(JsonObject node, string stamp)
    {
        var current = (node["spec"]?["taints"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var wanted = s_conditionTaints.Where(t => Status(node, t.Condition) == t.Status).Select(t => (t.Taint, Effect: "NoSchedule")).ToList();
        if (node["spec"]?["unschedulable"] is JsonValue cordoned && cordoned.TryGetValue<bool>(out var unschedulable) && unschedulable)
        {
            wanted.Add(("node.kubernetes.io/unschedulable", "NoSchedule"));
        }

        var ready = Status(node, "Ready");
        if (ready is "False" or "Unknown")
        {
            wanted.Add((ready == "False" ? NotReadyTaint : UnreachableTaint, "NoExecute"));
        }

        bool IsControllers(JsonObject t) => s_controllerTaints.Contains((string?)t["key"] ?? "") && (string?)t["effect"] is "NoSchedule" or "NoExecute";
        bool Wanted(JsonObject t) => wanted.Contains(((string?)t["key"] ?? "", (string?)t["effect"] ?? ""));
        var kept = current.Where(t => !IsControllers(t) || Wanted(t)).ToList();
        var added = wanted.Where(w => !kept.Any(t => (string?)t["key"] == w.Taint && (string?)t["effect"] == w.Effect))
            .Select(w => w.Effect == "NoExecute"
                ? new JsonObject { ["key"] = w.Taint, ["effect"] = w.Effect, ["timeAdded"] = stamp }
                : new JsonObject { ["key"] = w.Taint, ["effect"] = w.Effect })
            .ToList();
        return kept.Count == current.Count && added.Count == 0
            ? null
            : [.. kept.Select(t => t.DeepClone()), .. added];
    }
}
