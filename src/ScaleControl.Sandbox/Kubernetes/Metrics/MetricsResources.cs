using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Metrics;

/// <summary>
/// The resource metrics API metrics-server serves (metrics.k8s.io/v1beta1): PodMetrics and NodeMetrics, get and list
/// only, computed on each request and never stored. Tables as metrics-server converts them (Name, cpu, memory, Window).
/// </summary>
internal static class MetricsResources
{
    public const string Group = "metrics.k8s.io";

    public static ResourceType PodMetrics { get; } = new(Group, "v1beta1", "pods", "", "PodMetrics", Namespaced: true)
    {
        Verbs = ["get", "list"],
        TracksGeneration = false,
        Columns = Columns(pod => (pod["containers"] as JsonArray)?.OfType<JsonObject>().Select(c => c["usage"] as JsonObject) ?? []),
    };

    public static ResourceType NodeMetrics { get; } = new(Group, "v1beta1", "nodes", "", "NodeMetrics", Namespaced: false)
    {
        Verbs = ["get", "list"],
        TracksGeneration = false,
        Columns = Columns(node => [node["usage"] as JsonObject]),
    };

    public static IEnumerable<ResourceType> All => [NodeMetrics, PodMetrics];

    public static bool IsMetrics(ResourceType type) => type == PodMetrics || type == NodeMetrics;

    private static TableColumn[] Columns(Func<JsonObject, IEnumerable<JsonObject?>> usages) =>
    [
        TableColumn.NameColumn,
        new("cpu", "string", (o, _) => UsageModel.FormatNanoCpu(usages(o).Sum(u => UsageModel.ParseNanoCpu((string?)u?["cpu"])))),
        new("memory", "string", (o, _) => UsageModel.FormatMemory(usages(o).Sum(u => Cluster.Quantity.Bytes((string?)u?["memory"])))),
        new("Window", "string", (o, _) => (string?)o["window"]),
    ];
}
