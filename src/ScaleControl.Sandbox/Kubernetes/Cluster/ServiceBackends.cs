using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>What the endpoints controllers need of a Service with a selector.</summary>
internal sealed record ServiceState(
    string Namespace, string Name, string Uid, IReadOnlyDictionary<string, string> Selector, bool Headless, bool PublishNotReady,
    IReadOnlyList<JsonObject> Ports, JsonObject Labels)
{
    /// <summary>
    /// The Service, or null when the endpoints controllers leave it alone: without a selector (its endpoints are written
    /// by hand) or of type ExternalName (issues.k8s.io/105986).
    /// </summary>
    public static ServiceState? Of(JsonObject service)
    {
        if (service["spec"]?["selector"] is not JsonObject { Count: > 0 } selector || JsonPaths.GetString(service, "spec.type") == ServiceDefaults.ExternalName)
        {
            return null;
        }

        return new ServiceState(
            JsonPaths.GetString(service, "metadata.namespace")!,
            JsonPaths.GetString(service, "metadata.name")!,
            JsonPaths.GetString(service, "metadata.uid")!,
            selector.ToDictionary(kv => kv.Key, kv => JsonPaths.GetString(kv.Value, "") ?? "", StringComparer.Ordinal),
            JsonPaths.GetString(service, "spec.clusterIP") == "None",
            service["spec"]?["publishNotReadyAddresses"] is JsonValue publish && publish.TryGetValue<bool>(out var p) && p,
            (service["spec"]?["ports"] as JsonArray ?? []).OfType<JsonObject>().Select(o => (JsonObject)o.DeepClone()).ToList(),
            service["metadata"]?["labels"]?.DeepClone() as JsonObject ?? []);
    }

    /// <summary>The Service's labels on what its controllers write, with the headless marker as upstream sets it.</summary>
    public JsonObject LabelsWith(IReadOnlyDictionary<string, string> extra)
    {
        var labels = (JsonObject)Labels.DeepClone();
        foreach (var (key, value) in extra)
        {
            labels[key] = value;
        }

        if (Headless)
        {
            labels["service.kubernetes.io/headless"] = "";
        }

        return labels;
    }
}

/// <summary>What the endpoints controllers need of a pod.</summary>
internal sealed record BackendPod(
    string Namespace, string Name, string Uid, JsonObject Labels, string? Ip, string? NodeName, bool Ready, bool Terminating, bool Terminal,
    string? Hostname, string? Subdomain, JsonArray Containers)
{
    public static BackendPod Of(JsonObject pod) => new(
        JsonPaths.GetString(pod, "metadata.namespace")!,
        JsonPaths.GetString(pod, "metadata.name")!,
        JsonPaths.GetString(pod, "metadata.uid")!,
        pod["metadata"]?["labels"]?.DeepClone() as JsonObject ?? [],
        JsonPaths.GetString(pod, "status.podIP"),
        JsonPaths.GetString(pod, "spec.nodeName"),
        BuiltInResources.IsReady(pod),
        pod["metadata"]?["deletionTimestamp"] is not null,
        JsonPaths.GetString(pod, "status.phase") is "Succeeded" or "Failed",
        JsonPaths.GetString(pod, "spec.hostname"),
        JsonPaths.GetString(pod, "spec.subdomain"),
        pod["spec"]?["containers"]?.DeepClone() as JsonArray ?? []);

    public JsonObject TargetRef() => new() { ["kind"] = "Pod", ["namespace"] = Namespace, ["name"] = Name, ["uid"] = Uid };

    /// <summary>As upstream: the pod's hostname is published only for the Service its subdomain names.</summary>
    public string? HostnameFor(ServiceState service) => Hostname is { Length: > 0 } && Subdomain == service.Name ? Hostname : null;
}

/// <summary>A Service port with its targetPort resolved on one pod.</summary>
internal sealed record BackendPort(string Name, int Port, string Protocol, string? AppProtocol);

/// <summary>One pod behind a Service: ready or not (serving), and the ports it answers on.</summary>
internal sealed record Backend(BackendPod Pod, bool Ready, bool Serving, IReadOnlyList<BackendPort> Ports)
{
    /// <summary>The ports as one key, to group pods that answer on the same ports (one Endpoints subset, one slice).</summary>
    public string PortsKey => string.Join(';', Ports.Select(p => $"{p.Name}/{p.Port}/{p.Protocol}/{p.AppProtocol}"));
}

/// <summary>
/// The pods behind a Service as the endpoints controllers choose them (endpointslice util ShouldPodBeInEndpoints): in
/// the Service's namespace, matching its selector, with an IP, not finished; a pod being deleted only when
/// <paramref name="includeTerminating"/> (EndpointSlices) or the Service publishes not-ready addresses. A named
/// targetPort is looked up among the pod's container ports (podutil.FindPort); a port the pod lacks is left out.
/// </summary>
internal static class ServiceBackends
{
    public static List<Backend> Of(ServiceState service, IEnumerable<BackendPod> pods, bool includeTerminating)
    {
        var backends = new List<Backend>();
        foreach (var pod in pods.Where(p => p.Namespace == service.Namespace && Matches(service.Selector, p.Labels)))
        {
            if (Excluded(pod, includeTerminating || service.PublishNotReady))
            {
                continue;
            }

            var ports = service.Ports.Select(port => Resolve(port, pod)).OfType<BackendPort>().ToList();
            if (service.Ports.Count > 0 && ports.Count == 0)
            {
                continue;
            }

            // As podToEndpoint: a terminating pod is never ready, unless the Service publishes not-ready addresses.
            var serving = pod.Ready || service.PublishNotReady;
            backends.Add(new Backend(pod, service.PublishNotReady || (serving && !pod.Terminating), serving, ports));
        }

        return backends;
    }

    private static bool Excluded(BackendPod pod, bool includeTerminating) =>
        pod.Terminal || string.IsNullOrEmpty(pod.Ip) || (pod.Terminating && !includeTerminating);

    private static bool Matches(IReadOnlyDictionary<string, string> selector, JsonObject labels) =>
        selector.All(kv => JsonPaths.GetString(labels[kv.Key], "") == kv.Value);

    private static BackendPort? Resolve(JsonObject servicePort, BackendPod pod)
    {
        var protocol = JsonPaths.GetString(servicePort, "protocol") ?? "TCP";
        var targetPort = servicePort["targetPort"] ?? servicePort["port"];
        int? number = targetPort is JsonValue v && v.TryGetValue<int>(out var n) ? n
            : targetPort is JsonValue s && s.TryGetValue<string>(out var name)
                ? pod.Containers.OfType<JsonObject>().SelectMany(c => (c["ports"] as JsonArray ?? []).OfType<JsonObject>())
                    .Where(p => JsonPaths.GetString(p, "name") == name && (JsonPaths.GetString(p, "protocol") ?? "TCP") == protocol)
                    .Select(p => JsonPaths.GetInt(p, "containerPort")).FirstOrDefault()
                : null;
        return number is { } port
            ? new BackendPort(JsonPaths.GetString(servicePort, "name") ?? "", port, protocol, JsonPaths.GetString(servicePort, "appProtocol"))
            : null;
    }
}
