using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Json;

namespace ScaleControl.Sandbox.Kubernetes.Resources;

/// <summary>The columns of <c>kubectl get pods</c> (and <c>-o wide</c>), computed as the apiserver's printer does.</summary>
internal static class PodColumns
{
    public static IReadOnlyList<TableColumn> All { get; } =
    [
        TableColumn.NameColumn,
        new("Ready", "string", (o, _) => $"{Statuses(o).Count(s => (bool?)s["ready"] == true)}/{(o["spec"]?["containers"] as JsonArray)?.Count ?? 0}"),
        new("Status", "string", (o, _) => Status(o)),
        new("Restarts", "string", (o, _) => Statuses(o).Sum(s => JsonPaths.GetInt(s, "restartCount") ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture)),
        TableColumn.AgeColumn,
        new("IP", "string", (o, _) => JsonPaths.GetString(o, "status.podIP") ?? "<none>", 1),
        new("Node", "string", (o, _) => JsonPaths.GetString(o, "spec.nodeName") ?? "<none>", 1),
        new("Nominated Node", "string", (o, _) => JsonPaths.GetString(o, "status.nominatedNodeName") ?? "<none>", 1),
        new("Readiness Gates", "string", (_, _) => "<none>", 1),
    ];

    // As the printer: a waiting container's reason (ContainerCreating) wins over the phase.
    private static string Status(JsonObject pod)
    {
        if (pod["metadata"]?["deletionTimestamp"] is not null)
        {
            return "Terminating";
        }

        var waiting = Statuses(pod).Select(s => JsonPaths.GetString(s, "state.waiting.reason")).FirstOrDefault(r => r is not null);
        return waiting ?? JsonPaths.GetString(pod, "status.phase") ?? "Unknown";
    }

    private static IEnumerable<JsonObject> Statuses(JsonObject pod) =>
        (pod["status"]?["containerStatuses"] as JsonArray)?.OfType<JsonObject>() ?? [];
}
