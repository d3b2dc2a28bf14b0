using System.Security.Cryptography;
using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Operations;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>A core v1 Event as a control-plane component records it (what <c>kubectl describe</c> and <c>kubectl events</c> show).</summary>
internal static class ClusterEvents
{
    /// <param name="involved">The object the event is about: apiVersion, kind, namespace, name, uid.</param>
    public static void Record(
        ResourceOperations operations, (string ApiVersion, string Kind, string Namespace, string Name, string Uid) involved,
        string type, string reason, string action, string message, string component, string stamp)
    {
        // Like the recorder's "<name>.<unix nanos in hex>": unique per object.
        var name = $"{involved.Name}.{RandomNumberGenerator.GetHexString(16, lowercase: true)}";
        try
        {
            Create(operations, involved, type, reason, action, message, component, stamp, name);
        }
        catch (Api.ApiException e) when (e.Code == 403)
        {
            // The namespace is being deleted: the event is dropped, as the recorder drops what the apiserver refuses.
        }
    }

    private static void Create(
        ResourceOperations operations, (string ApiVersion, string Kind, string Namespace, string Name, string Uid) involved,
        string type, string reason, string action, string message, string component, string stamp, string name)
    {
        operations.Create(BuiltInResources.CoreEvents, involved.Namespace, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = involved.Namespace },
            ["involvedObject"] = new JsonObject
            {
                ["apiVersion"] = involved.ApiVersion, ["kind"] = involved.Kind, ["name"] = involved.Name, ["namespace"] = involved.Namespace, ["uid"] = involved.Uid,
            },
            ["reason"] = reason,
            ["message"] = message,
            ["type"] = type,
            ["source"] = new JsonObject { ["component"] = component },
            ["firstTimestamp"] = stamp,
            ["lastTimestamp"] = stamp,
            ["count"] = 1,
            ["action"] = action,
            ["reportingComponent"] = component,
            ["reportingInstance"] = component + "-sandbox",
        });
    }
}
