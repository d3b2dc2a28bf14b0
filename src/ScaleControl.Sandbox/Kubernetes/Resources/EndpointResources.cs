using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Json;

namespace ScaleControl.Sandbox.Kubernetes.Resources;

/// <summary>
/// core/v1 Endpoints and discovery.k8s.io/v1 EndpointSlices: written by the sandbox's endpoints controllers
/// (Cluster/EndpointsController, Cluster/EndpointSliceController) for Services with a selector, and by hand otherwise.
/// </summary>
internal static class EndpointResources
{
    private const int Shown = 3;

    public static ResourceType Endpoints { get; } = new("", "v1", "endpoints", "endpoints", "Endpoints", Namespaced: true)
    {
        Model = typeof(k8s.Models.V1Endpoints),
        ShortNames = ["ep"],
        TracksGeneration = false,
        Columns = [TableColumn.NameColumn, new("Endpoints", "string", (o, _) => FormatEndpoints(o)), TableColumn.AgeColumn],
    };

    public static ResourceType EndpointSlices { get; } = new("discovery.k8s.io", "v1", "endpointslices", "endpointslice", "EndpointSlice", Namespaced: true)
    {
        Model = typeof(k8s.Models.V1EndpointSlice),
        Columns =
        [
            TableColumn.NameColumn,
            new("AddressType", "string", (o, _) => JsonPaths.GetString(o, "addressType")),
            new("Ports", "string", (o, _) => FormatSlicePorts(o)),
            new("Endpoints", "string", (o, _) => FormatSliceEndpoints(o)),
            TableColumn.AgeColumn,
        ],
    };

    public static IReadOnlyList<ResourceType> All { get; } = [Endpoints, EndpointSlices];

    // printers.go formatEndpoints: ip:port of the ready addresses (ip alone without ports), three at most.
    private static string FormatEndpoints(JsonObject endpoints)
    {
        var subsets = (endpoints["subsets"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        if (subsets.Count == 0)
        {
            return "<none>";
        }

        var all = subsets.SelectMany(s =>
        {
            var addresses = Objects(s["addresses"]).Select(a => JsonPaths.GetString(a, "ip") ?? "").ToList();
            var ports = Objects(s["ports"]).ToList();
            return ports.Count == 0 ? addresses : ports.SelectMany(p => addresses.Select(ip => HostPort(ip, JsonPaths.GetInt(p, "port") ?? 0)));
        }).ToList();
        return all.Count > Shown ? $"{string.Join(',', all.Take(Shown))} + {all.Count - Shown} more..." : string.Join(',', all);
    }

    // printers.go formatDiscoveryPorts / formatDiscoveryEndpoints with listWithMoreString.
    private static string FormatSlicePorts(JsonObject slice) =>
        WithMore(Objects(slice["ports"]).Select(p => JsonPaths.GetInt(p, "port")?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? JsonPaths.GetString(p, "name") ?? "*").ToList());

    private static string FormatSliceEndpoints(JsonObject slice) =>
        WithMore(Objects(slice["endpoints"]).SelectMany(e => (e["addresses"] as JsonArray ?? []).Select(a => (string?)a ?? "")).ToList());

    private static string WithMore(List<string> all) =>
        all.Count > Shown ? $"{string.Join(',', all.Take(Shown))} + {all.Count - Shown} more..."
        : all.Count == 0 ? "<unset>"
        : string.Join(',', all);

    private static string HostPort(string ip, int port) => ip.Contains(':', StringComparison.Ordinal) ? $"[{ip}]:{port}" : $"{ip}:{port}";

    private static IEnumerable<JsonObject> Objects(JsonNode? list) => (list as JsonArray ?? []).OfType<JsonObject>();
}
