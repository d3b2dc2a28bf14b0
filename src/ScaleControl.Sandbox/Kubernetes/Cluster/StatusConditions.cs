using System.Text.Json.Nodes;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>An object's <c>status.conditions</c>, for the controllers that set one condition in place.</summary>
internal static class StatusConditions
{
    /// <summary>The condition of <paramref name="type"/>, added (with only its type) at the end when there is none.</summary>
    public static JsonObject FindOrAdd(JsonObject status, string type)
    {
        var conditions = status["conditions"] as JsonArray ?? [];
        status["conditions"] = conditions;
        if (conditions.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == type) is { } existing)
        {
            return existing;
        }

        var added = new JsonObject { ["type"] = type };
        conditions.Add(added);
        return added;
    }
}
