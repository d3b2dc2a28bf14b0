using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Operations;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>
/// The kubelets' side of a graceful pod deletion (<see cref="PodGracePeriod"/>). Until its deletionTimestamp a pod
/// being deleted runs on: it keeps its node's resources and its Ready condition (readiness probes go on while a pod
/// terminates, pkg/kubelet/prober/worker.go), but it is no replica, no Endpoints address and no capacity. The
/// sandbox's running containers never exit on SIGTERM, so each one takes its whole grace period: at the deadline the kubelet
/// kills them (exit code 137, reason Error), writes the terminal status a 1.32 kubelet writes (phase Failed, Ready and
/// ContainersReady False with reason PodFailed), then its status manager deletes the pod with grace period 0 and the
/// pod's uid as precondition. A pod with no container running (still being created, in an image pull or crash-loop
/// back-off) has nothing to stop and goes on the kubelet's next pass. A pod held by finalizers stays in that state
/// until they go. A kubelet whose node is not Ready does nothing, so its pods stay Terminating, as on a cluster that
/// lost a node.
/// </summary>
internal sealed class PodTermination(ResourceOperations operations, TimeProvider time)
{
    public void Run()
    {
        var now = time.GetUtcNow();
        var readyNodes = operations.Store.Project(BuiltInResources.Nodes.Storage, NodeState.Of).Where(n => n.Ready).Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var due = operations.Store.Project(BuiltInResources.Pods.Storage, pod => Due(pod, now, readyNodes) ? PodState.Of(pod) : null).OfType<PodState>().ToList();
        var stamp = Timestamps.Format(now);
        foreach (var pod in due)
        {
            operations.Rewrite(BuiltInResources.Pods, pod.Namespace, pod.Name, pod.Uid, o => Stop(o, stamp));
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

    // The grace period is over, or nothing runs that could use it (containers still being created, waiting in an image
    // pull or crash-loop back-off, or exited): the kubelet's killPod then has nothing to wait for.
    private static bool Due(JsonObject pod, DateTimeOffset now, HashSet<string> readyNodes) =>
        PodGracePeriod.Pending(pod) > 0
        && JsonPaths.GetString(pod, "spec.nodeName") is { } node && readyNodes.Contains(node)
        && (Timestamps.Parse(JsonPaths.GetString(pod, "metadata.deletionTimestamp")) <= now || !AnyRunning(pod));

    private static bool AnyRunning(JsonObject pod) =>
        (pod["status"]?["containerStatuses"] as JsonArray)?.OfType<JsonObject>().Any(c => c["state"]?["running"] is not null) == true;

    // The containers killed at the end of the grace period, and the pod terminal (getPhase: not all succeeded).
    private static void Stop(JsonObject pod, string now)
    {
        var status = pod.Obj("status");
        status["phase"] = "Failed";
        foreach (var condition in (status["conditions"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            if ((string?)condition["type"] is "Ready" or "ContainersReady")
            {
                if ((string?)condition["status"] != "False")
                {
                    condition["lastTransitionTime"] = now;
                }

                condition["status"] = "False";
                condition["reason"] = "PodFailed";
                condition.Remove("message");
            }
        }

        foreach (var container in (status["containerStatuses"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            container["ready"] = false;
            container["started"] = false;
            if (container["state"]?["running"] is JsonObject running)
            {
                container["state"] = new JsonObject
                {
                    ["terminated"] = new JsonObject
                    {
                        ["exitCode"] = 137,
                        ["reason"] = "Error",
                        ["startedAt"] = running["startedAt"]?.DeepClone(),
                        ["finishedAt"] = now,
                        ["containerID"] = container["containerID"]?.DeepClone(),
                    },
                };
            }
        }
    }
}
