using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Operations;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>The traffic simulator's view of the sandbox cluster: a Deployment's, else a StatefulSet's, replicas.</summary>
internal sealed class SandboxCluster(ResourceOperations operations) : ISandboxCluster
{
    public int? GetReadyReplicas(string @namespace, string name) =>
        Workload(@namespace, name) is { } w ? JsonPaths.GetInt(w, "status.readyReplicas") ?? 0 : null;

    public int? GetDesiredReplicas(string @namespace, string name) =>
        Workload(@namespace, name) is { } w ? JsonPaths.GetInt(w, "spec.replicas") ?? 1 : null;

    private System.Text.Json.Nodes.JsonObject? Workload(string @namespace, string name) =>
        operations.Store.Get(BuiltInResources.Deployments.Storage, @namespace, name)
        ?? operations.Store.Get(BuiltInResources.StatefulSets.Storage, @namespace, name);
}
