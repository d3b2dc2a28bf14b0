using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Operations;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Metrics;

/// <summary>
/// The Deployment or StatefulSet a pod belongs to, through its controller ownerReferences (a Deployment's pods are
/// owned by its ReplicaSets): the name the traffic simulator knows the workload by. ReplicaSets are read once each.
/// </summary>
internal sealed class PodWorkloads(ResourceOperations operations)
{
    private readonly Dictionary<(string, string), string?> _deploymentOfReplicaSet = [];

    public (string Namespace, string Name)? Of(JsonObject pod)
    {
        var ns = JsonPaths.GetString(pod, "metadata.namespace") ?? "";
        return Controller(pod) switch
        {
            ("StatefulSet", var name) => (ns, name),
            ("ReplicaSet", var name) when DeploymentOf(ns, name) is { } deployment => (ns, deployment),
            _ => null,
        };
    }

    private string? DeploymentOf(string ns, string replicaSet)
    {
        if (!_deploymentOfReplicaSet.TryGetValue((ns, replicaSet), out var deployment))
        {
            _deploymentOfReplicaSet[(ns, replicaSet)] = deployment =
                operations.Find(BuiltInResources.ReplicaSets, ns, replicaSet) is { } rs && Controller(rs) is ("Deployment", var name) ? name : null;
        }

        return deployment;
    }

    private static (string Kind, string Name)? Controller(JsonObject o) =>
        OwnerReferences.Controller(o) is { } r ? ((string?)r["kind"] ?? "", (string?)r["name"] ?? "") : null;
}
