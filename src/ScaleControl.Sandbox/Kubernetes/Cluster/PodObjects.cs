using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>
/// Pods as the workload controllers create them and as the scheduler and kubelet change them: Pending, bound to a
/// node (ContainerCreating), then Running and Ready.
/// </summary>
internal static class PodObjects
{
    private const string SafeAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    /// <summary>A stable 10-character hash of a pod template, like the pod-template-hash label.</summary>
    public static string TemplateHash(JsonObject template)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(template.ToJsonString()));
        return new string([.. digest.Take(10).Select(b => SafeAlphabet[b % SafeAlphabet.Length])]);
    }

    /// <summary>The Deployment's ReplicaSet for its current template, if it has one.</summary>
    public static WorkloadState? CurrentReplicaSet(WorkloadState deployment, IEnumerable<WorkloadState> owned) =>
        owned.FirstOrDefault(r => r.Revision == deployment.TemplateHash) ?? owned.FirstOrDefault(r => SameTemplate(r.Template, deployment.Template));

    /// <summary>
    /// Whether a ReplicaSet's template is the Deployment's, as the deployment controller compares them (typed, so
    /// key order, nulls and empty objects do not count, nor the pod-template-hash label): what kubectl rollout undo
    /// writes back is the ReplicaSet's template as Go serializes it.
    /// </summary>
    private static bool SameTemplate(JsonObject replicaSetTemplate, JsonObject deploymentTemplate)
    {
        var withoutHash = (JsonObject)replicaSetTemplate.DeepClone();
        (withoutHash["metadata"]?["labels"] as JsonObject)?.Remove("pod-template-hash");
        return JsonNode.DeepEquals(Canonical(withoutHash), Canonical(deploymentTemplate));
    }

    private static JsonNode? Canonical(JsonNode? node) => node switch
    {
        JsonObject o => o.Select(kv => (kv.Key, Value: Canonical(kv.Value)))
            .Where(kv => kv.Value is not null && kv.Value is not JsonObject { Count: 0 })
            .OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Aggregate(new JsonObject(), (o2, kv) => { o2[kv.Key] = kv.Value; return o2; }),
        JsonArray a => new JsonArray([.. a.Select(Canonical)]),
        null => null,
        _ => node.DeepClone(),
    };

    public static string RandomSuffix() => RandomNumberGenerator.GetString(SafeAlphabet, 5);

    /// <summary>The pod's requests: the sum over its containers; a container without requests asks for its limits.</summary>
    public static (long MilliCpu, long Memory) Requests(JsonObject? podSpec) => Sum(podSpec, unsetMilliCpu: 0, unsetMemory: 0);

    /// <summary>
    /// The scheduler's non-zero requests (schedutil.GetNonzeroRequests), which NodeResourcesFit scores by: a container
    /// that requests no CPU counts 100m, one that requests no memory 200Mi, so pods without requests still spread.
    /// </summary>
    public static (long MilliCpu, long Memory) NonZeroRequests(JsonObject? podSpec) => Sum(podSpec, unsetMilliCpu: 100, unsetMemory: 200L * 1024 * 1024);

    // Each container's request, else its limit, else the given amount.
    private static (long MilliCpu, long Memory) Sum(JsonObject? podSpec, long unsetMilliCpu, long unsetMemory)
    {
        long cpu = 0, memory = 0;
        foreach (var container in (podSpec?["containers"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            var resources = container["resources"];
            cpu += (JsonPaths.GetString(resources, "requests.cpu") ?? JsonPaths.GetString(resources, "limits.cpu")) is { } c ? Quantity.MilliCpu(c) : unsetMilliCpu;
            memory += (JsonPaths.GetString(resources, "requests.memory") ?? JsonPaths.GetString(resources, "limits.memory")) is { } m ? Quantity.Bytes(m) : unsetMemory;
        }

        return (cpu, memory);
    }

    /// <summary>A new, unscheduled pod from a template, with <paramref name="owner"/> as its controller ownerReference.</summary>
    public static JsonObject New(string name, JsonObject template, JsonObject owner, IReadOnlyDictionary<string, string> extraLabels, string? hostname = null)
    {
        var labels = template["metadata"]?["labels"]?.DeepClone() as JsonObject ?? [];
        foreach (var (key, value) in extraLabels)
        {
            labels[key] = value;
        }

        var spec = template["spec"]?.DeepClone() as JsonObject ?? [];
        spec["restartPolicy"] ??= "Always";
        spec["terminationGracePeriodSeconds"] ??= 30;
        spec["dnsPolicy"] ??= "ClusterFirst";
        spec["schedulerName"] ??= "default-scheduler";
        spec["serviceAccountName"] ??= "default";
        if (hostname is not null)
        {
            spec["hostname"] = hostname;
        }

        var metadata = new JsonObject
        {
            ["name"] = name,
            ["labels"] = labels,
            ["ownerReferences"] = new JsonArray(owner.DeepClone()),
        };
        if (template["metadata"]?["annotations"] is JsonObject annotations)
        {
            metadata["annotations"] = annotations.DeepClone();
        }

        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = metadata,
            ["spec"] = spec,
            ["status"] = new JsonObject { ["phase"] = "Pending" }, // qosClass: the pod defaults, once requests are defaulted from limits
        };
    }

    /// <summary>The scheduler's verdict when no node fits: PodScheduled=False, reason Unschedulable.</summary>
    public static void MarkUnschedulable(JsonObject pod, string message, string now)
    {
        var status = pod.Obj("status");
        status["phase"] = "Pending";
        var previous = Condition(status, "PodScheduled");
        var since = (string?)previous?["status"] == "False" ? (string?)previous?["lastTransitionTime"] ?? now : now;
        status["conditions"] = new JsonArray(NewCondition("PodScheduled", "False", since, "Unschedulable", message));
    }

    /// <summary>Bound by the scheduler: the kubelet starts the containers (ContainerCreating).</summary>
    public static void Bind(JsonObject pod, string nodeName, string hostIp, string podIp, string now)
    {
        pod.Obj("spec")["nodeName"] = nodeName;
        var status = pod.Obj("status");
        status["phase"] = "Pending";
        status["hostIP"] = hostIp;
        status["hostIPs"] = new JsonArray(new JsonObject { ["ip"] = hostIp });
        status["podIP"] = podIp;
        status["podIPs"] = new JsonArray(new JsonObject { ["ip"] = podIp });
        status["startTime"] = now;
        status["conditions"] = new JsonArray(
            NewCondition("PodReadyToStartContainers", "True", now),
            NewCondition("Initialized", "True", now),
            NewCondition("Ready", "False", now, "ContainersNotReady", UnreadyMessage(ContainerNames(pod))),
            NewCondition("ContainersReady", "False", now, "ContainersNotReady", UnreadyMessage(ContainerNames(pod))),
            NewCondition("PodScheduled", "True", now));
        status["containerStatuses"] = ContainerStatuses(pod, ready: false, now);
    }

    /// <summary>The containers started and passed their readiness probes.</summary>
    public static void MarkReady(JsonObject pod, string now)
    {
        var status = pod.Obj("status");
        status["phase"] = "Running";
        foreach (var condition in (status["conditions"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            if ((string?)condition["type"] is "Ready" or "ContainersReady")
            {
                condition["status"] = "True";
                condition["lastTransitionTime"] = now;
                condition.Remove("reason");
                condition.Remove("message");
            }
        }

        status["containerStatuses"] = ContainerStatuses(pod, ready: true, now);
    }

    /// <summary>The kubelet's message on the Ready and ContainersReady conditions, e.g. <c>containers with unready status: [web]</c>.</summary>
    public static string UnreadyMessage(IEnumerable<string> containers) => $"containers with unready status: [{string.Join(' ', containers)}]";

    /// <summary>A container's status: waiting in ContainerCreating, or running (and ready) since <paramref name="now"/>.</summary>
    public static JsonObject ContainerStatus(string? podUid, JsonObject container, bool ready, string now)
    {
        var status = new JsonObject { ["name"] = container["name"]?.DeepClone(), ["image"] = container["image"]?.DeepClone(), ["imageID"] = "" };
        if (ready)
        {
            status["imageID"] = $"sandbox://{(string?)container["image"]}";
            status["containerID"] = $"sandbox://{podUid}/{(string?)container["name"]}";
        }

        status["ready"] = ready;
        status["started"] = ready;
        status["restartCount"] = 0;
        status["state"] = ready
            ? new JsonObject { ["running"] = new JsonObject { ["startedAt"] = now } }
            : new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "ContainerCreating" } };
        return status;
    }

    /// <summary>
    /// The <c>DisruptionTarget</c> condition a controller sets before it deletes a pod (upstream's
    /// <c>apipod.UpdatePodCondition</c>): its transition time moves only when it was not already True.
    /// </summary>
    public static void MarkDisruptionTarget(JsonObject status, string reason, string message, string stamp)
    {
        var condition = StatusConditions.FindOrAdd(status, "DisruptionTarget");
        if ((string?)condition["status"] != "True")
        {
            condition["lastTransitionTime"] = stamp;
        }

        condition["status"] = "True";
        condition["lastProbeTime"] = null;
        condition["reason"] = reason;
        condition["message"] = message;
    }

    private static IEnumerable<string> ContainerNames(JsonObject pod) =>
        ((pod["spec"]?["containers"] as JsonArray)?.OfType<JsonObject>() ?? []).Select(c => (string?)c["name"] ?? "");

    private static JsonArray ContainerStatuses(JsonObject pod, bool ready, string now) =>
        new([.. ((pod["spec"]?["containers"] as JsonArray)?.OfType<JsonObject>() ?? [])
            .Select(c => (JsonNode)ContainerStatus((string?)pod["metadata"]?["uid"], c, ready, now))]);

    private static JsonObject? Condition(JsonObject status, string type) =>
        (status["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == type);

    private static JsonObject NewCondition(string type, string status, string now, string? reason = null, string? message = null)
    {
        var condition = new JsonObject { ["type"] = type, ["status"] = status, ["lastProbeTime"] = null, ["lastTransitionTime"] = now };
        if (reason is not null)
        {
            condition["reason"] = reason;
            condition["message"] = message;
        }

        return condition;
    }
}
