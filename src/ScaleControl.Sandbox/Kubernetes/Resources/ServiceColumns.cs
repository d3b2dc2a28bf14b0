using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Json;

namespace ScaleControl.Sandbox.Kubernetes.Resources;

/// <summary>The columns of <c>kubectl get services</c> (and <c>-o wide</c>), as the apiserver's printService computes them.</summary>
internal static class ServiceColumns
{
    public static IReadOnlyList<TableColumn> All { get; } =
    [
        TableColumn.NameColumn,
        new("Type", "string", (o, _) => JsonPaths.GetString(o, "spec.type")),
        new("Cluster-IP", "string", (o, _) => JsonPaths.GetString(o, "spec.clusterIPs[0]") ?? "<none>"),
        new("External-IP", "string", (o, _) => ExternalIP(o)),
        new("Port(s)", "string", (o, _) => Ports(o)),
        TableColumn.AgeColumn,
        new("Selector", "string", (o, _) => Selector(o), 1),
    ];

    // getServiceExternalIP: external IPs, a load balancer's ingress (or <pending>), an ExternalName's name.
    private static string ExternalIP(JsonObject service)
    {
        var external = Strings(JsonPaths.Get(service, "spec.externalIPs"));
        return JsonPaths.GetString(service, "spec.type") switch
        {
            ServiceDefaults.LoadBalancer => (JsonPaths.Get(service, "status.loadBalancer.ingress") as JsonArray ?? [])
                .Select(i => JsonPaths.GetString(i, "ip") ?? JsonPaths.GetString(i, "hostname")).OfType<string>().Concat(external).ToList() is { Count: > 0 } all
                    ? string.Join(',', all)
                    : "<pending>",
            ServiceDefaults.ExternalName => JsonPaths.GetString(service, "spec.externalName") ?? "<none>",
            _ => external.Count > 0 ? string.Join(',', external) : "<none>",
        };
    }

    // makePortString: port[:nodePort]/protocol, comma-separated.
    private static string Ports(JsonObject service)
    {
        var ports = (JsonPaths.Get(service, "spec.ports") as JsonArray ?? []).OfType<JsonObject>().Select(p =>
            JsonPaths.GetInt(p, "nodePort") is { } nodePort and > 0
                ? $"{JsonPaths.GetInt(p, "port")}:{nodePort}/{JsonPaths.GetString(p, "protocol")}"
                : $"{JsonPaths.GetInt(p, "port")}/{JsonPaths.GetString(p, "protocol")}").ToList();
        return ports.Count > 0 ? string.Join(',', ports) : "<none>";
    }

    // labels.FormatLabels: sorted k=v, <none> when empty.
    private static string Selector(JsonObject service) =>
        (JsonPaths.Get(service, "spec.selector") as JsonObject ?? []).OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => $"{kv.Key}={JsonPaths.GetString(kv.Value, "")}").ToList() is { Count: > 0 } terms ? string.Join(',', terms) : "<none>";

    private static List<string> Strings(JsonNode? list) => (list as JsonArray ?? []).Select(v => (string?)v).OfType<string>().ToList();
}
