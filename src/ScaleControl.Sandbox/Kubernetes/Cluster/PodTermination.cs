using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Operations;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>
/// The kubelets' side of a graceful pod deletion (<see cref="PodGracePeriod"/>). Until its containers stop a pod
/// being deleted runs on: it keeps its node's resources and its Ready condition (readiness probes go on while a pod
/// terminates, pkg/kubelet/prober/worker.go), but it is no replica, no Endpoints address and no capacity. Each running
/// container stops when <see cref="ContainerShutdown"/> says: after its preStop sleep, then on SIGTERM if it handles it,
/// else killed when the grace period is over (exit code 137, reason Error). Once the last one has stopped the kubelet
/// writes the terminal status a 1.32 kubelet writes (getPhase of a terminal pod: Succeeded when every container exited
/// 0, else Failed; Ready and ContainersReady False with reason PodCompleted or PodFailed), then its status manager
/// deletes the pod with grace period 0 and the pod's uid as precondition. A pod with no container running (still being
/// created, in an image pull or crash-loop back-off) has nothing to stop and goes on the kubelet's next pass. A pod
/// held by finalizers stays in that state until they go. A kubelet whose node is not Ready does nothing, so its pods
/// stay Terminating, as on a cluster that lost a node (until PodGC finds the node gone).
/// </summary>
internal sealed class PodTermination(ResourceOperations operations, TimeProvider time)
{
    public void Run()
    {
        var now = time.GetUtcNow();
        var readyNodes = operations.Store.Project(BuiltInResources.Nodes.Storage, NodeState.Of).Where(n => n.Ready).Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var due = operations.Store.Project(BuiltInResources.Pods.Storage, pod => Due(pod, now, readyNodes) ? PodState.Of(pod) : null).OfType<PodState>().ToList();
        foreach (var pod in due)
        {
            operations.Rewrite(BuiltInResources.Pods, pod.Namespace, pod.Name, pod.Uid, o => Stop(o, now));
            try
            {
                operations.Delete(BuiltInResources.Pods, pod.Namespace, pod.Name,
                    new JsonObject { ["gracePeriodSeconds"] = 0, ["preconditions"] = new JsonObject { ["uid"] = pod.Uid } });
            }
            catch (Api.ApiException e) when (e.Code is 404 or 409)
            {
                // Gone meanwhile, or another pod of that name now.
            }
        }
    }

    // Every running container has stopped by now (or none runs: the kubelet's killPod then has nothing to wait for).
    private static bool Due(JsonObject pod, DateTimeOffset now, HashSet<string> readyNodes) =>
        PodGracePeriod.Pending(pod) > 0
        && JsonPaths.GetString(pod, "spec.nodeName") is { } node && readyNodes.Contains(node)
        && Running(pod).All(c => StopsAt(pod, c.Spec) <= now);

    private static IEnumerable<(JsonObject Status, JsonObject? Spec)> Running(JsonObject pod) =>
        ((pod["status"]?["containerStatuses"] as JsonArray)?.OfType<JsonObject>() ?? [])
        .Where(c => c["state"]?["running"] is not null)
        .Select(c => (c, (pod["spec"]?["containers"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(s => (string?)s["name"] == (string?)c["name"])));

    // The deletion started at deletionTimestamp minus the grace period (a shortened one moved both alike).
    private static DateTimeOffset StopsAt(JsonObject pod, JsonObject? container)
    {
        var grace = PodGracePeriod.Pending(pod);
        return Timestamps.Parse(JsonPaths.GetString(pod, "metadata.deletionTimestamp")) is { } deadline
            ? deadline.AddSeconds(ContainerShutdown.Of(container, grace).Seconds - grace)
            : DateTimeOffset.MinValue;
    }

    // The containers stopped as ContainerShutdown says, and the pod terminal (getPhase of a terminal pod).
    private static void Stop(JsonObject pod, DateTimeOffset now)
    {
        var grace = PodGracePeriod.Pending(pod);
        foreach (var (container, spec) in Running(pod).ToList())
        {
            var shutdown = ContainerShutdown.Of(spec, grace);
            var stopped = StopsAt(pod, spec);
            container["ready"] = false;
            container["started"] = false;
            container["state"] = new JsonObject
            {
                ["terminated"] = new JsonObject
                {
                    ["exitCode"] = shutdown.ExitCode,
                    ["reason"] = shutdown.Reason,
                    ["startedAt"] = container["state"]!["running"]!["startedAt"]?.DeepClone(),
                    ["finishedAt"] = Timestamps.Format(stopped < now ? stopped : now),
                    ["containerID"] = container["containerID"]?.DeepClone(),
                },
            };
        }

        var status = pod.Obj("status");
        var statuses = (status["containerStatuses"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        foreach (var container in statuses)
        {
            container["ready"] = false;
            container["started"] = false;
        }

        var succeeded = statuses.Count > 0 && statuses.All(c => c["state"]?["terminated"]?["exitCode"] is JsonValue code && PodGracePeriod.Seconds(code) == 0);
        status["phase"] = succeeded ? "Succeeded" : "Failed";
        var stamp = Timestamps.Format(now);
        foreach (var condition in (status["conditions"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            if ((string?)condition["type"] is "Ready" or "ContainersReady")
            {
                if ((string?)condition["status"] != "False")
                {
                    condition["lastTransitionTime"] = stamp;
                }

                condition["status"] = "False";
                condition["reason"] = succeeded ? "PodCompleted" : "PodFailed";
                condition.Remove("message");
            }
        }
    }
}
