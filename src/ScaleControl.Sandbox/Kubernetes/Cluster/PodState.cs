using System.Globalization;
using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>What the controllers need of a pod, read without copying the stored object.</summary>
internal sealed record PodState(
    string Namespace, string Name, string Uid, string? OwnerUid, string Revision, string? NodeName, bool Ready,
    string Created, string? StartTime, long MilliCpu, long Memory, bool Terminating, DateTimeOffset? ReadySince,
    string? Phase, int Restarts, int DeletionCost)
{
    public bool Bound => NodeName is not null;

    /// <summary>Phase Failed or Succeeded: its containers are done and will not run again (not IsPodActive).</summary>
    public bool HasFinished => Phase is "Failed" or "Succeeded";

    /// <summary>
    /// podutil.IsPodAvailable: ready, and for minReadySeconds (its Ready condition's lastTransitionTime plus them is
    /// strictly before now, as in 1.32; 1.34 made it "at or before"). What a ReplicaSet's and a StatefulSet's
    /// availableReplicas, a Deployment rollout's maxUnavailable and a StatefulSet's OrderedReady rollout count.
    /// </summary>
    public bool IsAvailable(int minReadySeconds, DateTimeOffset now) =>
        Ready && (minReadySeconds <= 0 || (ReadySince is { } since && since.AddSeconds(minReadySeconds) < now));

    public static PodState Of(JsonObject pod)
    {
        var labels = pod["metadata"]?["labels"] as JsonObject;
        var (cpu, memory) = PodObjects.Requests(pod["spec"] as JsonObject);
        return new PodState(
            JsonPaths.GetString(pod, "metadata.namespace")!,
            JsonPaths.GetString(pod, "metadata.name")!,
            JsonPaths.GetString(pod, "metadata.uid")!,
            (string?)OwnerReferences.Controller(pod)?["uid"],
            (string?)labels?["pod-template-hash"] ?? (string?)labels?["controller-revision-hash"] ?? "",
            JsonPaths.GetString(pod, "spec.nodeName"),
            BuiltInResources.IsReady(pod),
            JsonPaths.GetString(pod, "metadata.creationTimestamp") ?? "",
            JsonPaths.GetString(pod, "status.startTime"),
            cpu,
            memory,
            pod["metadata"]?["deletionTimestamp"] is not null,
            Timestamps.Parse(JsonPaths.GetString(BuiltInResources.ConditionOf(pod, "Ready"), "lastTransitionTime")),
            JsonPaths.GetString(pod, "status.phase"),
            (pod["status"]?["containerStatuses"] as JsonArray)?.OfType<JsonObject>().Select(c => JsonPaths.GetInt(c, "restartCount") ?? 0).DefaultIfEmpty(0).Max() ?? 0,
            PodDeletionOrder.DeletionCost((string?)pod["metadata"]?["annotations"]?[PodDeletionOrder.DeletionCostAnnotation]))
        {
            Tolerations = [.. (pod["spec"]?["tolerations"] as JsonArray ?? []).OfType<JsonObject>().Select(t => (JsonObject)t.DeepClone())],
            Evicted = JsonPaths.GetString(pod, "status.phase") == "Failed" && JsonPaths.GetString(pod, "status.reason") == "Evicted",
            Labels = (JsonObject?)labels?.DeepClone() ?? [],
            NonZeroRequests = PodObjects.NonZeroRequests(pod["spec"] as JsonObject),
            OwnSpreadConstraints = pod["spec"]?["topologySpreadConstraints"] is JsonArray { Count: > 0 },
        };
    }

    /// <summary>eviction.PodIsEvicted: Failed with reason Evicted (a kubelet's node-pressure eviction); PodGC deletes these first.</summary>
    public bool Evicted { get; init; }

    /// <summary>metadata.labels: the scheduler's default topology spreading counts the pods its selector matches.</summary>
    public JsonObject Labels { get; init; } = [];

    /// <summary>What the scheduler's scoring counts the pod at (a container without requests at 100m and 200Mi).</summary>
    public (long MilliCpu, long Memory) NonZeroRequests { get; init; }

    /// <summary>spec.topologySpreadConstraints given: the scheduler's default constraints do not apply.</summary>
    public bool OwnSpreadConstraints { get; init; }

    /// <summary>spec.tolerations: which node taints the scheduler lets the pod onto.</summary>
    public IReadOnlyList<JsonObject> Tolerations { get; init; } = [];
}

/// <summary>What the controllers need of a Deployment, StatefulSet or ReplicaSet.</summary>
internal sealed record WorkloadState(
    string Namespace, string Name, string Uid, string? OwnerUid, int Generation, int Replicas, string TemplateHash, string Revision, JsonObject Template,
    int ReadyInStatus, int RolloutRevision, bool Deleting, string Created, int? DesiredReplicas, int? MaxReplicas,
    int MinReadySeconds, bool Paused, int StatusReplicas, int ObservedGeneration, string? PodManagementPolicy)
{
    public const string RevisionAnnotation = "deployment.kubernetes.io/revision";

    /// <summary>A StatefulSet whose pods are created and deleted all at once (podManagementPolicy Parallel), not one by one.</summary>
    public bool ParallelPods => PodManagementPolicy == "Parallel";
    public const string DesiredReplicasAnnotation = "deployment.kubernetes.io/desired-replicas";
    public const string MaxReplicasAnnotation = "deployment.kubernetes.io/max-replicas";

    public static WorkloadState Of(JsonObject o)
    {
        var template = o["spec"]?["template"] as JsonObject ?? [];
        var labels = template["metadata"]?["labels"] as JsonObject;
        return new WorkloadState(
            JsonPaths.GetString(o, "metadata.namespace")!,
            JsonPaths.GetString(o, "metadata.name")!,
            JsonPaths.GetString(o, "metadata.uid")!,
            (string?)OwnerReferences.Controller(o)?["uid"],
            JsonPaths.GetInt(o, "metadata.generation") ?? 1,
            Math.Max(0, JsonPaths.GetInt(o, "spec.replicas") ?? 1),
            PodObjects.TemplateHash(template),
            (string?)labels?["pod-template-hash"] ?? "",
            (JsonObject)template.DeepClone(),
            JsonPaths.GetInt(o, "status.readyReplicas") ?? 0,
            int.TryParse((string?)o["metadata"]?["annotations"]?[RevisionAnnotation], NumberStyles.None, CultureInfo.InvariantCulture, out var revision) ? revision : 0,
            o["metadata"]?["deletionTimestamp"] is not null,
            JsonPaths.GetString(o, "metadata.creationTimestamp") ?? "",
            Annotation(o, DesiredReplicasAnnotation),
            Annotation(o, MaxReplicasAnnotation),
            JsonPaths.GetInt(o, "spec.minReadySeconds") ?? 0,
            o["spec"]?["paused"] is JsonValue paused && paused.TryGetValue<bool>(out var isPaused) && isPaused,
            JsonPaths.GetInt(o, "status.replicas") ?? 0,
            JsonPaths.GetInt(o, "status.observedGeneration") ?? 0,
            JsonPaths.GetString(o, "spec.podManagementPolicy"));
    }

    private static int? Annotation(JsonObject o, string key) =>
        int.TryParse((string?)o["metadata"]?["annotations"]?[key], NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
}

/// <summary>A node's name, its place in the node list, what it can hold and whether it is cordoned.</summary>
internal sealed record NodeState(string Name, string HostIp, long MilliCpu, long Memory, int MaxPods, bool Ready, bool Unschedulable)
{
    public static NodeState Of(JsonObject node) => new(
        JsonPaths.GetString(node, "metadata.name")!,
        (node["status"]?["addresses"] as JsonArray)?.OfType<JsonObject>().Where(a => (string?)a["type"] == "InternalIP").Select(a => (string?)a["address"]).FirstOrDefault() ?? "",
        Quantity.MilliCpu(JsonPaths.GetString(node, "status.allocatable.cpu")),
        Quantity.Bytes(JsonPaths.GetString(node, "status.allocatable.memory")),
        (int)(Quantity.Parse(JsonPaths.GetString(node, "status.allocatable.pods")) ?? 110),
        BuiltInResources.IsReady(node),
        node["spec"]?["unschedulable"] is JsonValue cordoned && cordoned.TryGetValue<bool>(out var unschedulable) && unschedulable) // kubectl cordon
    {
        Taints = [.. (node["spec"]?["taints"] as JsonArray ?? []).OfType<JsonObject>().Select(t => (JsonObject)t.DeepClone())],
        Labels = (node["metadata"]?["labels"] as JsonObject ?? []).Where(l => l.Value is JsonValue)
            .ToDictionary(l => l.Key, l => (string?)l.Value ?? "", StringComparer.Ordinal),
    };

    /// <summary>metadata.labels: the topology (hostname, zone) the scheduler's default spreading reads.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>spec.taints (<c>kubectl taint nodes</c>): the scheduler's TaintToleration filter reads them.</summary>
    public IReadOnlyList<JsonObject> Taints { get; init; } = [];
}
