using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;
using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Operations;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>
/// The endpoints controller: every Service with a selector has a v1 Endpoints of its name listing its pods, ready ones
/// in addresses, the others in notReadyAddresses, grouped in subsets by the ports they answer on. Written only on
/// change; removed with its Service (when it carries the controller's trigger-time annotation, as checkLeftoverEndpoints
/// decides), left alone for a Service without a selector.
/// </summary>
internal sealed class EndpointsController(ResourceOperations operations, TimeProvider time)
{
    public const string TriggerTimeAnnotation = "endpoints.kubernetes.io/last-change-trigger-time";

    public void Run(IReadOnlyList<JsonObject> services, IReadOnlyList<BackendPod> pods)
    {
        var stamp = Timestamps.Format(time.GetUtcNow());
        foreach (var service in services.Select(ServiceState.Of).OfType<ServiceState>())
        {
            var subsets = Subsets(service, ServiceBackends.Of(service, pods, includeTerminating: false));
            Write(service, subsets, stamp);
        }

        var names = services.Select(s => (JsonPaths.GetString(s, "metadata.namespace"), JsonPaths.GetString(s, "metadata.name"))).ToHashSet();
        foreach (var leftover in operations.Store.Project(EndpointResources.Endpoints.Storage, e => (
                Managed: e["metadata"]?["annotations"]?[TriggerTimeAnnotation] is not null,
                Namespace: JsonPaths.GetString(e, "metadata.namespace")!,
                Name: JsonPaths.GetString(e, "metadata.name")!))
            .Where(e => e.Managed && !names.Contains((e.Namespace, e.Name))))
        {
            operations.DeleteIfPresent(EndpointResources.Endpoints, leftover.Namespace, leftover.Name);
        }
    }

    // RepackSubsets: one subset per set of ports, addresses ordered by IP.
    private static JsonArray Subsets(ServiceState service, List<Backend> backends) =>
        new([.. backends.GroupBy(b => b.PortsKey).OrderBy(g => g.Key, StringComparer.Ordinal).Select(group =>
        {
            var subset = new JsonObject();
            var ready = group.Where(b => b.Ready).OrderBy(b => b.Pod.Ip, StringComparer.Ordinal).Select(b => Address(service, b)).ToArray();
            var notReady = group.Where(b => !b.Ready).OrderBy(b => b.Pod.Ip, StringComparer.Ordinal).Select(b => Address(service, b)).ToArray();
            if (ready.Length > 0)
            {
                subset["addresses"] = new JsonArray(ready);
            }

            if (notReady.Length > 0)
            {
                subset["notReadyAddresses"] = new JsonArray(notReady);
            }

            if (group.First().Ports.Count > 0)
            {
                subset["ports"] = new JsonArray([.. group.First().Ports.Select(Port)]);
            }

            return (JsonNode)subset;
        })]);

    private static JsonNode Address(ServiceState service, Backend backend)
    {
        var address = new JsonObject { ["ip"] = backend.Pod.Ip };
        if (backend.Pod.HostnameFor(service) is { } hostname)
        {
            address["hostname"] = hostname;
        }

        if (backend.Pod.NodeName is { } node)
        {
            address["nodeName"] = node;
        }

        address["targetRef"] = backend.Pod.TargetRef();
        return address;
    }

    private static JsonNode Port(BackendPort port)
    {
        var o = new JsonObject();
        if (port.Name.Length > 0)
        {
            o["name"] = port.Name;
        }

        o["port"] = port.Port;
        o["protocol"] = port.Protocol;
        if (port.AppProtocol is { } appProtocol)
        {
            o["appProtocol"] = appProtocol;
        }

        return o;
    }

    private void Write(ServiceState service, JsonArray subsets, string stamp)
    {
        var labels = service.LabelsWith(new Dictionary<string, string>());
        var current = operations.Store.Get(EndpointResources.Endpoints.Storage, service.Namespace, service.Name);
        if (current is not null && JsonNode.DeepEquals(current["subsets"] ?? new JsonArray(), subsets) && JsonNode.DeepEquals(current["metadata"]?["labels"] ?? new JsonObject(), labels))
        {
            return;
        }

        try
        {
            if (current is null)
            {
                var endpoints = new JsonObject
                {
                    ["metadata"] = new JsonObject
                    {
                        ["name"] = service.Name, ["namespace"] = service.Namespace, ["labels"] = labels,
                        ["annotations"] = new JsonObject { [TriggerTimeAnnotation] = stamp },
                    },
                };
                if (subsets.Count > 0)
                {
                    endpoints["subsets"] = subsets;
                }

                operations.Create(EndpointResources.Endpoints, service.Namespace, endpoints, owner: FieldOwner.ControllerManager);
                return;
            }

            operations.Rewrite(EndpointResources.Endpoints, service.Namespace, service.Name, JsonPaths.GetString(current, "metadata.uid")!, o =>
            {
                o.Obj("metadata")["labels"] = labels;
                o.Obj("metadata").Obj("annotations")[TriggerTimeAnnotation] = stamp;
                o.Remove("subsets");
                if (subsets.Count > 0)
                {
                    o["subsets"] = subsets;
                }
            }, FieldOwner.ControllerManager);
        }
        catch (ApiException e) when (e.Code is 409 or 403 or 422)
        {
            // Created meanwhile, or the namespace is being deleted: the next pass sees it.
        }
    }
}
