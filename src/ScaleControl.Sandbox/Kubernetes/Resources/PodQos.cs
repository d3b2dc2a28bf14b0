using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Cluster;

namespace ScaleControl.Sandbox.Kubernetes.Resources;

/// <summary>
/// A pod's <c>status.qosClass</c>, as the apiserver's ComputePodQOS (<c>pkg/apis/core/helper/qos</c>) sets it on create:
/// BestEffort without any cpu or memory request or limit; Guaranteed when every container (init containers too) limits
/// both and the summed requests equal the summed limits; Burstable otherwise. Zero quantities count as unset.
/// </summary>
internal static class PodQos
{
    private static readonly string[] s_resources = ["cpu", "memory"];

    public static string Of(JsonObject spec)
    {
        var containers = new[] { "containers", "initContainers" }.SelectMany(l => (spec[l] as JsonArray ?? []).OfType<JsonObject>()).ToList();
        var requests = Sum(containers, "requests");
        var limits = Sum(containers, "limits");
        if (requests.Count == 0 && limits.Count == 0)
        {
            return "BestEffort";
        }

        var limitsBoth = containers.All(c => s_resources.All(r => Positive(c["resources"]?["limits"]?[r]) is not null));
        return limitsBoth && requests.Count == limits.Count && requests.All(r => limits.TryGetValue(r.Key, out var limit) && limit == r.Value)
            ? "Guaranteed"
            : "Burstable";
    }

    private static Dictionary<string, decimal> Sum(List<JsonObject> containers, string kind)
    {
        var sums = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var container in containers)
        {
            foreach (var resource in s_resources)
            {
                if (Positive(container["resources"]?[kind]?[resource]) is { } value)
                {
                    sums[resource] = sums.GetValueOrDefault(resource) + value;
                }
            }
        }

        return sums;
    }

    private static decimal? Positive(JsonNode? quantity) =>
        Quantity.Parse(quantity?.ToString()) is > 0 and var value ? value : null;
}
