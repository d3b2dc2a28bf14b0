using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Operations;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>
/// The traffic simulator's view of the sandbox cluster: a Deployment's, else a StatefulSet's, replicas. Ready replicas
/// are those that serve: a pod being deleted is ready=false in its EndpointSlice, so it takes no new requests. A
/// Deployment's readyReplicas already leave it out; a StatefulSet's count it (1.32's computeReplicaStatus), so its
/// ready terminating pods are taken off.
/// </summary>
internal sealed class SandboxCluster(ResourceOperations operations) : ISandboxCluster
{
    public int? GetReadyReplicas(string @namespace, string name)
    {
        if (operations.Store.Get(BuiltInResources.Deployments.Storage, @namespace, name) is { } deployment)
        {
            return JsonPaths.GetInt(deployment, "status.readyReplicas") ?? 0;
        }

        if (operations.Store.Get(BuiltInResources.StatefulSets.Storage, @namespace, name) is not { } statefulSet)
        {
            return null;
        }

        var uid = JsonPaths.GetString(statefulSet, "metadata.uid");
        // Ready but no longer serving (being deleted): the status still counts them until they go.
        var terminating = operations.Store.Project(BuiltInResources.Pods.Storage, pod =>
                BuiltInResources.IsReady(pod) && !BuiltInResources.IsServing(pod)
                && JsonPaths.GetString(pod, "metadata.namespace") == @namespace
                && JsonPaths.GetString(pod, "status.phase") == "Running"
                && (pod["metadata"]?["ownerReferences"] as System.Text.Json.Nodes.JsonArray)?.Any(r => (string?)r?["uid"] == uid) == true)
            .Count(t => t);
        return Math.Max(0, (JsonPaths.GetInt(statefulSet, "status.readyReplicas") ?? 0) - terminating);
    }

    public int? GetDesiredReplicas(string @namespace, string name) =>
        Workload(@namespace, name) is { } w ? JsonPaths.GetInt(w, "spec.replicas") ?? 1 : null;

    private System.Text.Json.Nodes.JsonObject? Workload(string @namespace, string name) =>
        operations.Store.Get(BuiltInResources.Deployments.Storage, @namespace, name)
        ?? operations.Store.Get(BuiltInResources.StatefulSets.Storage, @namespace, name);
}
