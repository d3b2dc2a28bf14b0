using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Json;

namespace ScaleControl.Sandbox.Kubernetes.Operations;

/// <summary>The autoscaling/v1 Scale of a workload: the parent's identity and resourceVersion, replicas, selector.</summary>
internal static class ScaleView
{
    public static JsonObject Of(JsonObject workload)
    {
        var metadata = new JsonObject();
        foreach (var key in new[] { "name", "namespace", "uid", "resourceVersion", "creationTimestamp" })
        {
            if (workload["metadata"]?[key] is { } value)
            {
                metadata[key] = value.DeepClone();
            }
        }

        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject { ["replicas"] = JsonPaths.GetInt(workload, "spec.replicas") ?? 0 },
            ["status"] = new JsonObject
            {
                ["replicas"] = JsonPaths.GetInt(workload, "status.replicas") ?? 0,
                ["selector"] = Resources.WorkloadColumns.SelectorString(workload["spec"]?["selector"] as JsonObject), // expressions too
            },
        };
    }
}
