using System.Globalization;
using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Json;

namespace ScaleControl.Sandbox.Kubernetes.Resources;

/// <summary>
/// The HPA table of kube-apiserver 1.32 (printers.go printHorizontalPodAutoscaler): NAME, REFERENCE, TARGETS, MINPODS,
/// MAXPODS, REPLICAS, AGE, over the autoscaling/v2 shape (the v1 view is converted first).
/// </summary>
internal static class HpaColumns
{
    public static IReadOnlyList<TableColumn> For(Func<JsonObject, JsonObject> toV2) =>
    [
        TableColumn.NameColumn,
        new("Reference", "string", (o, _) => $"{JsonPaths.GetString(o, "spec.scaleTargetRef.kind")}/{JsonPaths.GetString(o, "spec.scaleTargetRef.name")}"),
        new("Targets", "string", (o, _) => Targets(toV2(o))),
        new("MinPods", "string", (o, _) => JsonPaths.GetInt(o, "spec.minReplicas") is { } min ? min.ToString(CultureInfo.InvariantCulture) : "<unset>"),
        new("MaxPods", "integer", (o, _) => JsonPaths.GetInt(o, "spec.maxReplicas") ?? 0),
        new("Replicas", "integer", (o, _) => JsonPaths.GetInt(o, "status.currentReplicas") ?? 0),
        TableColumn.AgeColumn,
    ];

    // formatHPAMetrics: "<current>/<target>" per metric, "<unknown>" until the controller reports one, two at most.
    private static string Targets(JsonObject hpa)
    {
        var specs = (hpa["spec"]?["metrics"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        if (specs.Count == 0)
        {
            return "<none>";
        }

        var statuses = (hpa["status"]?["currentMetrics"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        var list = specs.Select((spec, i) => Format(spec, i < statuses.Count ? statuses[i] : null)).ToList();
        return list.Count > 2 ? $"{string.Join(", ", list.Take(2))} + {list.Count - 2} more..." : string.Join(", ", list);
    }

    private static string Format(JsonObject spec, JsonObject? status)
    {
        var type = (string?)spec["type"];
        switch (type)
        {
            case "Resource" or "ContainerResource":
                var source = type == "Resource" ? "resource" : "containerResource";
                var name = JsonPaths.GetString(spec, $"{source}.name");
                if (Text(spec, $"{source}.target.averageValue") is { } averageValue)
                {
                    return $"{name}: {Text(status, $"{source}.current.averageValue") ?? "<unknown>"}/{averageValue}";
                }

                var current = JsonPaths.GetInt(status ?? [], $"{source}.current.averageUtilization") is { } used ? $"{used}%" : "<unknown>";
                var target = JsonPaths.GetInt(spec, $"{source}.target.averageUtilization") is { } wanted ? $"{wanted}%" : "<auto>";
                return $"{name}: {current}/{target}";
            case "Pods":
                return $"{Text(status, "pods.current.averageValue") ?? "<unknown>"}/{Text(spec, "pods.target.averageValue")}";
            case "Object" or "External":
                var kind = type == "Object" ? "object" : "external";
                return Text(spec, $"{kind}.target.averageValue") is { } average
                    ? $"{Text(status, $"{kind}.current.averageValue") ?? "<unknown>"}/{average} (avg)"
                    : $"{Text(status, $"{kind}.current.value") ?? "<unknown>"}/{Text(spec, $"{kind}.target.value")}";
            default:
                return "<unknown type>";
        }
    }

    private static string? Text(JsonObject? o, string path) => o is null ? null : JsonPaths.Get(o, path)?.ToString();
}
