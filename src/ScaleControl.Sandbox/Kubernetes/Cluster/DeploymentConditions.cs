using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Json;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>A Deployment's status.conditions, handled as deployment/util's SetDeploymentCondition and friends.</summary>
internal static class DeploymentConditions
{
    public static JsonObject? Get(JsonObject status, string type) =>
        (status["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == type);

    /// <summary>
    /// SetDeploymentCondition: nothing changes when the status and reason are already those; otherwise the condition
    /// is replaced (and moves to the end), keeping its lastTransitionTime while its status stays.
    /// </summary>
    /// <param name="value">Null for Unknown (a paused or resumed Deployment's Progressing).</param>
    public static void Set(JsonObject status, string type, bool? value, string reason, string message, string stamp, string? keepTransitionTime = null)
    {
        var text = value switch { true => "True", false => "False", null => "Unknown" };
        var existing = Get(status, type);
        if (existing is not null && (string?)existing["status"] == text && (string?)existing["reason"] == reason)
        {
            return;
        }

        var transition = keepTransitionTime ?? (existing is not null && (string?)existing["status"] == text ? (string?)existing["lastTransitionTime"] : null) ?? stamp;
        Remove(status, type);
        ((JsonArray)(status["conditions"] ??= new JsonArray())).Add(new JsonObject
        {
            ["type"] = type,
            ["status"] = text,
            ["lastUpdateTime"] = stamp,
            ["lastTransitionTime"] = transition,
            ["reason"] = reason,
            ["message"] = message,
        });
    }

    public static void Remove(JsonObject status, string type)
    {
        if (status["conditions"] is JsonArray conditions && Get(status, type) is { } existing)
        {
            conditions.Remove(existing);
        }
    }
}
