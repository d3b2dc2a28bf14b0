using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;
using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Operations;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>
/// The EndpointSlice controller: every Service with a selector has IPv4 slices named <c>&lt;service&gt;-&lt;suffix&gt;</c>,
/// labelled with the Service's name and this controller, owned by the Service, one per set of ports (at most 100
/// endpoints each), each endpoint a pod with its ready/serving/terminating conditions; a Service without pods keeps one
/// empty placeholder slice. Written only on change; the slices of a Service that is gone are collected.
/// </summary>
internal sealed class EndpointSliceController(ResourceOperations operations, TimeProvider time)
{
    public const string ServiceNameLabel = "kubernetes.io/service-name";
    public const string ManagedByLabel = "endpointslice.kubernetes.io/managed-by";
    public const string ControllerName = "endpointslice-controller.k8s.io";
    private const int MaxEndpointsPerSlice = 100;

    public void Run(IReadOnlyList<JsonObject> services, IReadOnlyList<BackendPod> pods)
    {
        var stamp = Timestamps.Format(time.GetUtcNow());
        var managed = operations.Store.Project(EndpointResources.EndpointSlices.Storage,
                s => (string?)s["metadata"]?["labels"]?[ManagedByLabel] == ControllerName ? (JsonObject)s.DeepClone() : null)
            .OfType<JsonObject>()
            .ToLookup(s => OwnerUid(s) ?? "");
        foreach (var service in services.Select(ServiceState.Of).OfType<ServiceState>())
        {
            Reconcile(service, ServiceBackends.Of(service, pods, includeTerminating: true), managed[service.Uid].ToList(), stamp);
        }

        // The garbage collector: slices whose Service is gone (one that lost its selector keeps them, as upstream).
        var live = services.Select(s => JsonPaths.GetString(s, "metadata.uid")).ToHashSet();
        foreach (var orphan in managed.Where(g => !live.Contains(g.Key)).SelectMany(g => g))
        {
            operations.DeleteIfPresent(EndpointResources.EndpointSlices, JsonPaths.GetString(orphan, "metadata.namespace")!, JsonPaths.GetString(orphan, "metadata.name")!);
        }
    }

    private void Reconcile(ServiceState service, List<Backend> backends, List<JsonObject> existing, string stamp)
    {
        // Desired slices: per set of ports, chunks of 100 endpoints; none at all is one placeholder without ports.
        var desired = backends.GroupBy(b => b.PortsKey).OrderBy(g => g.Key, StringComparer.Ordinal)
            .SelectMany(g => g.OrderBy(b => b.Pod.Ip, StringComparer.Ordinal).Chunk(MaxEndpointsPerSlice)
                .Select(chunk => (Ports: Ports(chunk[0].Ports), Endpoints: new JsonArray([.. chunk.Select(b => Endpoint(service, b))]))))
            .DefaultIfEmpty((Ports: (JsonNode?)null, Endpoints: null!))
            .ToList();
        var labels = service.LabelsWith(new Dictionary<string, string> { [ServiceNameLabel] = service.Name, [ManagedByLabel] = ControllerName });
        var unused = existing.OrderBy(s => JsonPaths.GetString(s, "metadata.name"), StringComparer.Ordinal).ToList();
        foreach (var (ports, endpoints) in desired)
        {
            var match = unused.FirstOrDefault(s => JsonNode.DeepEquals(s["ports"], ports)) ?? unused.FirstOrDefault();
            if (match is null)
            {
                Create(service, labels, ports, endpoints, stamp);
                continue;
            }

            unused.Remove(match);
            if (!JsonNode.DeepEquals(match["ports"], ports) || !JsonNode.DeepEquals(match["endpoints"], endpoints)
                || !JsonNode.DeepEquals(match["metadata"]?["labels"], labels))
            {
                operations.Rewrite(EndpointResources.EndpointSlices, service.Namespace, JsonPaths.GetString(match, "metadata.name")!, JsonPaths.GetString(match, "metadata.uid")!, o =>
                {
                    o.Obj("metadata")["labels"] = labels.DeepClone();
                    o.Obj("metadata").Obj("annotations")[EndpointsController.TriggerTimeAnnotation] = stamp;
                    o["ports"] = ports?.DeepClone();
                    o["endpoints"] = endpoints?.DeepClone();
                }, FieldOwner.ControllerManager);
            }
        }

        foreach (var extra in unused)
        {
            operations.DeleteIfPresent(EndpointResources.EndpointSlices, service.Namespace, JsonPaths.GetString(extra, "metadata.name")!);
        }
    }

    private void Create(ServiceState service, JsonObject labels, JsonNode? ports, JsonArray? endpoints, string stamp)
    {
        var slice = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["generateName"] = service.Name + "-",
                ["namespace"] = service.Namespace,
                ["labels"] = labels.DeepClone(),
                ["annotations"] = new JsonObject { [EndpointsController.TriggerTimeAnnotation] = stamp },
                ["ownerReferences"] = new JsonArray(new JsonObject
                {
                    ["apiVersion"] = "v1", ["kind"] = "Service", ["name"] = service.Name, ["uid"] = service.Uid,
                    ["controller"] = true, ["blockOwnerDeletion"] = true,
                }),
            },
            ["addressType"] = "IPv4",
            ["endpoints"] = endpoints?.DeepClone(),
            ["ports"] = ports?.DeepClone(),
        };
        try
        {
            operations.Create(EndpointResources.EndpointSlices, service.Namespace, slice, owner: FieldOwner.ControllerManager);
        }
        catch (ApiException e) when (e.Code is 409 or 403)
        {
            // A name taken by chance, or the namespace is being deleted: the next pass tries again.
        }
    }

    // An endpoint as podToEndpoint writes it: the address, the conditions, where the pod runs and which pod it is.
    private static JsonNode Endpoint(ServiceState service, Backend backend)
    {
        var endpoint = new JsonObject
        {
            ["addresses"] = new JsonArray(backend.Pod.Ip),
            ["conditions"] = new JsonObject { ["ready"] = backend.Ready, ["serving"] = backend.Serving, ["terminating"] = backend.Pod.Terminating },
        };
        if (backend.Pod.HostnameFor(service) is { } hostname)
        {
            endpoint["hostname"] = hostname;
        }

        endpoint["targetRef"] = backend.Pod.TargetRef();
        if (backend.Pod.NodeName is { } node)
        {
            endpoint["nodeName"] = node;
        }

        return endpoint;
    }

    private static JsonNode? Ports(IReadOnlyList<BackendPort> ports) =>
        ports.Count == 0
            ? null
            : new JsonArray([.. ports.Select(p =>
            {
                var o = new JsonObject { ["name"] = p.Name, ["protocol"] = p.Protocol, ["port"] = p.Port };
                if (p.AppProtocol is { } appProtocol)
                {
                    o["appProtocol"] = appProtocol;
                }

                return (JsonNode)o;
            })]);

    private static string? OwnerUid(JsonObject slice) =>
        (string?)OwnerReferences.Controller(slice)?["uid"];
}
