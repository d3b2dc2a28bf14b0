using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Json;

namespace ScaleControl.Sandbox.Kubernetes.Resources;

/// <summary>
/// The apiserver's defaulting of a Service (kubernetes pkg/apis/core/v1/defaults.go, SetDefaults_Service), run on
/// every create, update and apply. What the registry allocates (cluster IPs, node ports, IP families) is
/// <see cref="Operations.ServiceAllocation"/>'s.
/// </summary>
internal static class ServiceDefaults
{
    public const string ClusterIP = "ClusterIP";
    public const string NodePort = "NodePort";
    public const string LoadBalancer = "LoadBalancer";
    public const string ExternalName = "ExternalName";

    public static void Apply(JsonObject service)
    {
        var spec = service.Obj("spec");
        SetIfUnset(spec, "sessionAffinity", "None");
        if ((string?)spec["sessionAffinity"] == "None")
        {
            spec.Remove("sessionAffinityConfig");
        }
        else if ((string?)spec["sessionAffinity"] == "ClientIP" && JsonPaths.GetInt(spec, "sessionAffinityConfig.clientIP.timeoutSeconds") is null)
        {
            spec["sessionAffinityConfig"] = new JsonObject { ["clientIP"] = new JsonObject { ["timeoutSeconds"] = 10800 } };
        }

        SetIfUnset(spec, "type", ClusterIP);
        foreach (var port in (spec["ports"] as JsonArray ?? []).OfType<JsonObject>())
        {
            SetIfUnset(port, "protocol", "TCP");
            if (port["targetPort"] is null || JsonPaths.GetInt(port, "targetPort") == 0 || JsonPaths.GetString(port, "targetPort") == "")
            {
                port["targetPort"] = port["port"]?.DeepClone();
            }
        }

        var type = (string?)spec["type"];
        if (ExternallyAccessible(spec))
        {
            SetIfUnset(spec, "externalTrafficPolicy", "Cluster");
        }

        if (type is ClusterIP or NodePort or LoadBalancer)
        {
            SetIfUnset(spec, "internalTrafficPolicy", "Cluster");
        }

        if (type == LoadBalancer)
        {
            spec["allocateLoadBalancerNodePorts"] ??= true;
        }

        // The Go struct always serializes: a Service reads back with status.loadBalancer {}.
        service.Obj("status").Obj("loadBalancer");
    }

    /// <summary>As pkg/api/v1/service ExternallyAccessible: node ports, a load balancer, or external IPs.</summary>
    public static bool ExternallyAccessible(JsonObject spec) => (string?)spec["type"] switch
    {
        NodePort or LoadBalancer => true,
        ClusterIP => spec["externalIPs"] is JsonArray { Count: > 0 },
        _ => false,
    };

    // Go's zero value: absent, null or "".
    private static void SetIfUnset(JsonObject o, string key, string value)
    {
        if (o[key] is null || (o[key] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length == 0))
        {
            o[key] = value;
        }
    }
}
